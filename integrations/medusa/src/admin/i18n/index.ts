/**
 * The Mamori widgets' words, merged by Medusa into the dashboard's own translations (English, and
 * Japanese when a staff member picks it in the admin's profile settings).
 */
const en = {
  mamori: {
    hold: {
      title: 'Held by Mamori',
      badge: 'On hold',
      lead: 'The customer’s account was taken over: Mamori contained it, and this order was placed while someone else was signed in.',
      reason: 'Reason recorded',
      since: 'Held since',
      request: 'Undo request',
      requestState: 'This store answered “held” to request {{id}}; it waits for the account owner’s decision.',
      canDo: 'What you can do',
      canDoText:
        'Do not fulfil or capture it: both are refused while it is held. Releasing or cancelling it is the customer’s decision, made through Mamori, not the staff’s; when she decides, this store carries it out (it checks Mamori every minute).',
    },
    list: {
      title: 'Orders held by Mamori',
      count_one: '{{count}} order is held at an account owner’s request until she decides.',
      count_other: '{{count}} orders are held at account owners’ request until they decide.',
      order: 'Order #{{id}}',
      since: 'held since {{date}}',
      failed: 'Could not read the orders Mamori holds.',
    },
  },
};

const ja: typeof en = {
  mamori: {
    hold: {
      title: 'Mamori により保留中',
      badge: '保留中',
      lead: 'お客様のアカウントが乗っ取られました。Mamori がアカウントを保護し、この注文は別の人がログインしている間に行われたものです。',
      reason: '記録された理由',
      since: '保留開始',
      request: '取り消し依頼',
      requestState: '依頼 {{id}} に「保留」と回答済みです。アカウントの持ち主の判断を待っています。',
      canDo: 'スタッフにできること',
      canDoText:
        '発送や決済の確定はしないでください（保留中はどちらも拒否されます）。保留の解除や取り消しはスタッフではなく、お客様が Mamori で決めます。決まるとこのストアが実行します（1分ごとに Mamori を確認します）。',
    },
    list: {
      title: 'Mamori により保留中の注文',
      count_one: '{{count}} 件の注文が、アカウントの持ち主の判断まで保留されています。',
      count_other: '{{count}} 件の注文が、アカウントの持ち主の判断まで保留されています。',
      order: '注文 #{{id}}',
      since: '{{date}} から保留',
      failed: 'Mamori が保留している注文を読み込めませんでした。',
    },
  },
};

export default { en: { translation: en }, ja: { translation: ja } };
