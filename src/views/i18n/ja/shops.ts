import type { shops as en } from '../en/shops.ts';

/** ショップへのサインイン。英語版と同じキーで型付けします。 */
export const shops: Record<keyof typeof en, string> = {
  'shop.support.lead': '{client} へのお問い合わせ（ご注文・配送など）：',
  'shop.support.page': 'ヘルプページ',
  'shop.consent.title': '{client} にサインインしますか？',
  'shop.consent.lead': '{client} が {shop} のアカウントの利用を求めています。次の情報が共有されます：',
  'shop.consent.scope.openid': 'あなたであること（変わらない識別子）',
  'shop.consent.scope.email': 'メールアドレス',
  'shop.consent.scope.profile': 'お名前と表示言語',
  'shop.consent.scope.offline_access': 'サインアウトするまでサインインしたままにすること',
  'shop.consent.scope.account_read': 'アカウントを今安全に使えるかどうか（ロック中・復旧中・復旧後の一時制限中）',
  'shop.consent.allow': '許可して続ける',
  'shop.consent.deny': '許可しない',
  'shop.consent.signedInAs': '{email} でサインインしています。',
  'shop.continue.title': 'ショップに戻っています…',
  'shop.continue.link': 'ショップに戻る',
  'shop.logout.title': 'サインアウトしますか？',
  'shop.logout.lead':
    '{shop} からサインアウトします。このアカウントでサインインしたショップからもサインアウトされます。',
  'shop.logout.confirm': 'サインアウト',
  'shop.logout.stay': 'サインインしたままにする',
  'shop.logout.done.title': 'サインアウトしました',
  'shop.logout.done.body': 'このページを閉じるか、ショップに戻ってください。',
  'shop.error.title': 'ショップへのサインインができませんでした',
  'shop.error.expired':
    'このサインインの依頼は期限切れか、すでに使われています。ショップに戻って、もう一度サインインしてください。',
  'shop.error.generic':
    'ショップから受け付けられない依頼が届きました（{error}）。ショップに戻って、もう一度お試しください。',
  'shop.error.locked':
    'このアカウントは、乗っ取りの報告に対応している間ロックされているため、ショップにサインインできません。今後の流れは、持ち主あてにお送りしたメールでご案内しています。',
  'shop.error.otherAccount':
    'このサインインは別のアカウントで始められたものです。ショップに戻って、もう一度サインインしてください。',
};
