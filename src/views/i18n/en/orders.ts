/** Orders a containment asked a shop to hold (issue 25): the owner's choice for each, and the shop's answer. */
export const orders = {
  'undo.will.shop-release-order': 'The shop will be asked to send this order on its way',
  'undo.will.shop-cancel-order': 'The shop will be asked to cancel this order',
  'shopAnswer.released': 'Released by the shop: it is on its way',
  'orders.title': 'Orders the shop is holding',
  'orders.lead':
    'The shop stopped these orders when the account was secured. For each one, tell the shop what to do: release an order you placed yourself, or cancel one you did not.',
  'orders.staffLead': 'Orders the shop was asked to hold. Decide for the customer only when they have told you.',
  'orders.items': 'Items',
  'orders.itemsUnknown': 'The shop did not say',
  'orders.amount': 'Amount',
  'orders.shipTo': 'Ship to',
  'orders.shop': 'The shop',
  'orders.release': 'This was mine: release it',
  'orders.cancel': 'Cancel it',
  'orders.asked.release': 'Release asked of the shop ({time})',
  'orders.asked.cancel': 'Cancellation asked of the shop ({time})',
  'orders.sent': 'Your choice was sent to the shop. Its answer will appear here.',
  'mail.contained.orders': 'We asked the shop to hold these orders until you decide what happens to each:',
  'change.held-order-decided': 'A held order was decided',
  'change.held-order-decided.release': '{order}: release it',
  'change.held-order-decided.cancel': '{order}: cancel it',
} as const;
