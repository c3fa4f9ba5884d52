import type { imported as en } from '../en/imported.ts';

/** ショップから移ってきたお客さま（issue 26）：最初のログインと、サポート担当の画面。英語版と同じキー。 */
export const imported: Record<keyof typeof en, string> = {
  'upgrade.suggested.title': 'パスワードを長くしましょう',
  'upgrade.suggested.body':
    'ログインできました。今のパスワードはショップからアカウントと一緒に移ってきたもので、今の基準より短いか当てられやすいか、ショップの古いデータが漏れると見破られやすい形で保存されていました。{min}文字以上の新しいパスワードか、パスキーにすると、ほかの人に入られにくくなります。',
  'upgrade.required.title': '新しいパスワードを決めてください',
  'upgrade.required.body':
    'ログインできましたが、お使いのパスワードは、ほかの人にも知られていて、不正ログインで最初に試されるパスワードの一覧に載っています。先に進む前に、新しいパスワードを決めてください。',
  'upgrade.password': '新しいパスワード',
  'upgrade.submit': '保存して続ける',
  'upgrade.passkey': '代わりにパスキーを使う',
  'upgrade.later': 'あとで',
  'error.PASSWORD_CHANGE_REQUIRED':
    '先に新しいパスワードを決めてください。今のパスワードはほかの人にも知られています。',
  'staff.case.imported': 'インポート',
  'staff.case.imported.from': '{date}に{shop}からインポート',
  'staff.case.imported.hash':
    'パスワード：ショップ側のハッシュ（{format}）のままです。正しいパスワードでの最初のログイン時に、Mamoriのハッシュ方式へ移されます。',
  'staff.case.imported.noHash':
    'パスワード：インポート時にありませんでした。ログイン時に、設定用の1回限りのリンクをご案内します。',
  'staff.case.imported.passkeyOnly':
    'パスワード：なし。メールのリンクからアカウントを開き、パスキーを追加する手順に進みました。',
  'staff.case.imported.migrated':
    'パスワード：Mamoriのハッシュ方式（argon2id）へ移しました。ショップ側のハッシュは消去済みです。',
  'firstPassword.offer': 'ショップの以前のサイトから移ってきたアカウントで、まだここでのパスワードがない方へ',
  'firstPassword.offerLink': 'パスワード設定用のリンクを受け取る',
  'firstPassword.title': 'パスワードの設定',
  'firstPassword.lead':
    'ショップがパスワードなしで{shop}へアカウントを移した場合、メールアドレスにリンクをお送りします。リンクからパスワード、またはパスキーを設定できます。',
  'firstPassword.submit': 'リンクを送る',
  'firstPassword.sent.title': 'メールをご確認ください',
  'firstPassword.sent.body':
    '{email} がショップからパスワードなしで移ってきたアカウントであれば、設定用のリンクをお送りしました。リンクは1時間、一度だけ使えます。',
  'firstPassword.set.title': 'パスワードを決めてください',
  'firstPassword.set.lead': '{shop}のアカウントで最初のパスワードです。覚える必要のないパスキーにすることもできます。',
  'firstPassword.set.submit': 'パスワードを保存',
  'firstPassword.set.passkey': '代わりにパスキーを使う',
  'firstPassword.done': 'パスワードを設定しました。このパスワードでログインしてください。',
  'mail.firstPassword.subject': '{shop}：パスワードの設定',
  'mail.firstPassword.body':
    'お客さまのアカウントは、パスワードなしで{shop}へ移ってきました。このリンクからパスワード、またはパスキーを設定できます。リンクは{minutes}分間、一度だけ有効です。',
  'mail.firstPassword.action': 'パスワードを設定',
  'mail.firstPassword.ignore': 'お心当たりがない場合はこのメールを無視してください。何も変わりません。',
};
