import type { proof as en } from '../en/proof.ts';

/** 「ご本人の証明」（issue 27）。英語版と同じキー。 */
export const proof: Record<keyof typeof en, string> = {
  'proof.kind.passkey': 'パスキー',
  'proof.kind.totp': '認証アプリ',
  'proof.kind.recovery-code': 'リカバリーコード',
  'proof.words': '{since}から登録されていた{factor}',
  'proof.title': 'ご本人であることを証明して、すぐに復旧',
  'proof.lead':
    '不正アクセスの前からお持ちのパスキー、認証アプリ、リカバリーコードのいずれかをお使いください。待機期間なしで、すぐに復旧できます。不正アクセス後に追加されたものは、誰が追加したものでも使えません。',
  'proof.passkey': 'パスキーで証明する',
  'proof.codeLabel': '認証アプリのコード、またはリカバリーコード',
  'proof.submit': 'このコードで証明する',
  'proof.emailOnly':
    '不正アクセスの前、このアカウントにはパスキーも認証アプリもありませんでした。そのため待機期間があなたを守ります。復旧は{time}に開始し、その時点でご登録のアドレスにお知らせします。パスキーを登録しておくと、次回は1分で済みます。',
  'proof.done': '{proof}でご本人であることが証明されました。復旧手続きを開始しています。',
  'proof.passkeyOnly.title': 'パスワードなしで続ける',
  'proof.passkeyOnly.lead':
    'アカウントをすぐに開き、このブラウザでサインインします。続けて新しいパスキーを登録してください。パスワードは後からでも設定できます。',
  'proof.passkeyOnly.submit': 'アカウントを開いてパスキーを登録',
  'proof.recoverNow': '今すぐ新しいパスワードを設定',
  'change.ownership-proved': '不正アクセス前からの認証要素で、ご本人であることが証明されました',
  'change.ownership-proof-refused': 'ご本人確認の証明が受け付けられませんでした',
  'change.objection-after-proof': 'ご本人の証明後に異議がありました。担当者が確認します',
  'checklist.passkey.lead': 'パスキーを登録しましょう。次回は1分で済みます。',
  'checklist.passkey.add': 'パスキーを登録',
  'staff.case.provenBy': 'ご本人の証明: {proof}（{at}）',
  'mail.proved.subject': '{shop}アカウントの復旧手続きを開始しました',
  'mail.proved.body':
    '{proof}で{shop}のアカウントがご本人のものであると証明されたため（{at}）、待機期間なしで復旧手続きを開始しました。ページを閉じてしまった場合は、こちらから続けてください。リンクの有効期限は24時間で、1回のみ使えます。',
  'mail.proved.notYou':
    'お心当たりがない場合は、すぐに不正利用への対応ページを開いてお知らせください。担当者がただちに対応します。',
  'mail.provedParty.subject': '{shop}アカウントの所有者がご本人であることを証明しました',
  'mail.provedParty.body':
    'このアドレスで{shop}のアカウントに加えられた変更は取り消され、アカウントの所有者は{proof}でご本人であることを証明しました。誤りだと思われる場合は、引き続き異議を申し立てられます。担当者が確認しますが、その間アカウントがあなたに開かれることはありません。',
};
