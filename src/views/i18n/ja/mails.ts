import type { mails as en } from '../en/mails.ts';

/** What Mamori's mails say, to customers and to the other party of an incident. Typed by the English catalog: a key missing here fails the type check. */
export const mails: Record<keyof typeof en, string> = {
  'mail.notice.subject.second-factor-added': '{shop}：2段階認証が有効になりました',
  'mail.notice.subject.second-factor-removed': '{shop}：2段階認証が無効になりました',
  'mail.notice.subject.recovery-code-used': '{shop}：リカバリーコードでログインがありました',
  'mail.notice.subject.recovery-codes-renewed': '{shop}：リカバリーコードが再発行されました',
  'mail.notice.subject.password-disabled-after-failures': '{shop}：100回のログイン失敗によりパスワードを無効にしました',
  'mail.footer':
    'このメールは {shop} からお客様のアカウントについてお送りしています。返信は読まれません。お問い合わせは {email} へ。',
  'mail.verify.subject': '{shop}：メールアドレスのご確認',
  'mail.verify.body':
    '{name} 様\n\n{shop} のアカウント作成を完了するため、アドレスを確認してください。リンクの有効期限は24時間です。',
  'mail.verify.action': 'アドレスを確認する',
  'mail.verify.ignore': 'お心当たりがない場合はこのメールを無視してください。何も起こりません。',
  'mail.registrationAttempt.subject': '{shop}：このアドレスでアカウント作成が試みられました',
  'mail.registrationAttempt.body':
    '{shop} で、すでにアカウントのあるこのアドレスを使って新しいアカウントの作成が試みられました。新しいアカウントは作成されていません。',
  'mail.registrationAttempt.action': 'ログイン',
  'mail.registrationAttempt.reset': 'パスワードをお忘れの場合はこちらから再設定できます：{link}',
  'mail.reset.subject': '{shop}：新しいパスワードの設定',
  'mail.reset.body': '{shop} のアカウントのパスワード再設定が依頼されました。リンクは{minutes}分間、一度だけ有効です。',
  'mail.reset.action': '新しいパスワードを設定',
  'mail.reset.ignore': 'お心当たりがない場合はこのメールを無視してください。パスワードは変わりません。',
  'mail.confirmEmail.subject': '{shop}：新しいメールアドレスのご確認',
  'mail.confirmEmail.body':
    '{shop} のアカウント {old} から、今後このアドレスを使うよう依頼がありました。確認されるまで変更は行われません。リンクの有効期限は{hours}時間です。',
  'mail.confirmEmail.action': '新しいアドレスを確認する',
  'mail.notice.subject.password-changed': '{shop}：パスワードが変更されました',
  'mail.notice.subject.password-reset': '{shop}：パスワードが再設定されました',
  'mail.notice.subject.email-changed': '{shop}：アカウントのメールアドレスが変更されました',
  'mail.notice.subject.email-change-requested': '{shop}：メールアドレスの変更が依頼されました',
  'mail.notice.subject.phone-changed': '{shop}：電話番号が変更されました',
  'mail.notice.subject.payment-method-added': '{shop}：お支払い方法が追加されました',
  'mail.notice.subject.payment-method-removed': '{shop}：お支払い方法が削除されました',
  'mail.notice.subject.address-added': '{shop}：お届け先が追加されました',
  'mail.notice.subject.address-removed': '{shop}：お届け先が削除されました',
  'mail.notice.subject.name-changed': '{shop}：アカウントのお名前が変更されました',
  'mail.notice.subject.subscription-changed': '{shop}：定期購入が変更されました',
  'mail.notice.subject.new-device-sign-in': '{shop}：新しい端末からログインがありました',
  'mail.notice.subject.shop-order-placed': '{shop}：新しいお届け先へのご注文がありました',
  'mail.notice.subject.shop-gift-card-redeemed': '{shop}：ギフトカードが利用されました',
  'mail.notice.subject.shop-points-redeemed': '{shop}：ポイントが利用されました',
  'mail.notice.subject.shop-address-saved': '{shop}：ご購入時にお届け先が保存されました',
  'mail.notice.subject.shop-payment-method-saved': '{shop}：ご購入時にカードが保存されました',
  'mail.notice.subject.shop-subscription-started': '{shop}：定期購入が開始されました',
  'mail.notice.area': '地域',
  'mail.notice.report': '心当たりがない',
  'mail.notice.reportHint':
    'お心当たりがない場合は「心当たりがない」を押してください。ログインせずに7日間使えます。すぐにアカウントをロックし、変更を元に戻し、すべての手順をお見せします。リンクを開いただけでは何も変わりません。',
  'mail.contained.subject': '{shop}：アカウントを保護しました',
  'mail.contained.body':
    '{shop}のアカウントで身に覚えのない変更のご報告を受け、アカウントをロックし、すべての端末をログアウトさせ、パスワードを無効にし、{changes}を元に戻しました。異議がなければ {until} に復旧手続きが始まります。経過はこちらで確認でき、同じページから担当者に連絡できます：',
  'mail.contained.bodyReview':
    '{shop}のアカウントで、身に覚えのない変更があるとの報告がありました。この報告は変更が始まった後に現れたアドレスまたは端末から届いたため、念のためアカウントをロックし、すべての端末をログアウトさせ、パスワードを無効にし、{changes}を元に戻しました。アカウントの持ち主を担当者が確認するまで、誰も復旧できません。ご自身のアカウントであれば、不正利用への対応ページからお知らせください。同じページから担当者に連絡できます：',
  'count.changes.one': '1件の変更',
  'count.changes.other': '{count}件の変更',
  'mail.contained.action': '不正利用への対応ページを開く',
  'mail.objection.subject': '{shop}：ご利用のアカウントへの変更が取り消されました',
  'mail.objection.body':
    '{shop} のアカウント {account} の所有者から、このアドレスで行われた変更に心当たりがないとの報告があり、変更は取り消されました。あなたがアカウントの所有者でこれが誤りの場合は、{until} までに異議を申し立ててください。担当者が双方の内容を確認します。',
  'mail.objection.action': '異議を申し立てる',
  'mail.disputed.subject': '{shop}：ご報告に異議が申し立てられました',
  'mail.disputed.body':
    'ご依頼の取り消しに異議が申し立てられました。{shop} の担当者が双方の内容を確認する間、アカウントはロックされ安全な状態です。こちらからご連絡します。{email} からもお問い合わせいただけます。',
  'mail.recovery.subject': '{shop}：アカウントを復旧できます',
  'mail.recovery.body':
    '異議のないまま待機期間が終わりました。新しいパスワードを設定してアカウントを再開してください。リンクは24時間、一度だけ有効です。',
  'mail.recovery.action': '新しいパスワードを設定',
  'mail.recovered.subject': '{shop}のアカウントが再開されました',
  'mail.recovered.body':
    '復旧リンクから新しいパスワードが設定され、{shop}のアカウントが再開されました。ご本人による操作であれば、ここで必要なことはありません。チェックリストはアカウントのページにあります。身に覚えがない場合は、すぐに不正利用への対応ページからお知らせください。担当者がただちに対応します。',
  'mail.recovered.action': '身に覚えがない：不正利用への対応ページを開く',
  'mail.notice.what': '変更内容',
  'mail.notice.before': '変更前',
  'mail.notice.after': '変更後',
  'mail.notice.when': '日時',
  'mail.notice.device': '端末',
  'mail.notice.ip': 'ネットワークアドレス',
  'mail.notice.notYou': 'お心当たりがない場合はご連絡ください。ログインできない状態でも担当者が対応します：{email}',
  'mail.code.subject': '{shop} のログイン確認コード',
  'mail.code.body':
    'これまでにないブラウザまたは場所からアカウントへのログインが試みられています。ご本人の場合は、このコードを入力してください。有効期限は{minutes}分です。',
  'mail.code.notYou':
    'お心当たりがない場合は、このコードを誰にも伝えないでください。パスワードが第三者に知られています。お困りの場合はご連絡ください：{email}',
  'mail.code.secureLead':
    '下のボタンを押すと、すべての端末とショップからログアウトさせ（パスワードでログインした人も含みます）、新しいパスワードの設定に進みます。すでに何か変更されていた場合は、その変更のお知らせメールにある「身に覚えがない」ボタンからお知らせください。',
  'mail.code.secure': '身に覚えがない：全員をログアウトさせてパスワードを変更する',
  'mail.blocked.subject': '{shop} アカウントへのログインを阻止しました',
  'mail.blocked.body':
    '攻撃と思われる場所とブラウザから、正しいパスワードでのログインがありましたが、拒否しました。アカウントに変更はありません。パスワードが第三者に知られていますので、再設定してください。',
  'mail.blocked.action': 'パスワードを再設定する',
  'mail.held.subject': '{shop} アカウントの変更を保留しています',
  'mail.held.body':
    '新しいブラウザ、または確認が必要だったログインから、アカウントの変更が依頼されました。安全のため、{until} まで反映を保留します。お心当たりがない場合は、今すぐ取り消してください。',
  'mail.held.action': 'この変更を取り消す',
  'mail.reply.subject': '{shop} サポートからの返信',
  'mail.reply.signed': '{shop} サポート {name}',
  'mail.digest.subject': '{shop}：ご購入時の変更が{count}件ありました',
  'mail.digest.intro':
    '短い時間にご購入時の変更がありました。変更ごとに「心当たりがない」のリンクがあります。ご自身でしていない変更のリンクを押してください。ログインせずに7日間使え、開いただけでは何も変わりません。',
};
