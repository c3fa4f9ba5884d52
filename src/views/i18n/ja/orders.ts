import type { orders as en } from '../en/orders.ts';

/** 保留したご注文：ご本人の選択とショップの回答。英語版と同じキーで型付けします。 */
export const orders: Record<keyof typeof en, string> = {
  'undo.will.shop-release-order': 'ショップにこのご注文の出荷再開を依頼します',
  'undo.will.shop-cancel-order': 'ショップにこのご注文のキャンセルを依頼します',
  'shopAnswer.released': 'ショップが出荷を再開しました',
  'orders.title': 'ショップが保留しているご注文',
  'orders.lead':
    'アカウントを守るため、ショップが次のご注文の出荷を止めています。ご自身のご注文なら出荷の再開を、身に覚えのないご注文ならキャンセルをお選びください。',
  'orders.staffLead': 'ショップに保留を依頼したご注文です。お客様のご意思を確認できた場合にだけ選んでください。',
  'orders.items': '商品',
  'orders.itemsUnknown': 'ショップからの連絡なし',
  'orders.amount': '金額',
  'orders.shipTo': 'お届け先',
  'orders.shop': 'ショップ',
  'orders.release': '自分の注文です：出荷を再開する',
  'orders.cancel': 'キャンセルする',
  'orders.asked.release': '出荷の再開をショップに依頼しました（{time}）',
  'orders.asked.cancel': 'キャンセルをショップに依頼しました（{time}）',
  'orders.sent': 'ショップにお伝えしました。回答はこのページに表示されます。',
  'mail.contained.orders': '次のご注文は、お客様がどうするかお決めになるまで出荷を保留するようショップに依頼しました：',
  'change.held-order-decided': '保留中のご注文について選択',
  'change.held-order-decided.release': '{order}：出荷を再開する',
  'change.held-order-decided.cancel': '{order}：キャンセルする',
};
