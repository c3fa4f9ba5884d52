import { defineWidgetConfig } from '@medusajs/admin-sdk';
import type { AdminOrder, DetailWidgetProps } from '@medusajs/framework/types';
import { Container, Heading, StatusBadge, Text } from '@medusajs/ui';
import { useTranslation } from 'react-i18next';
import { holdOf } from '../../lib/order-hold';

/** One labelled line of the hold: its label above, its value below. */
const Fact = ({ label, children }: { label: string; children: string }) => (
  <div className="px-6 py-4">
    <dt className="txt-compact-small-plus">{label}</dt>
    <dd className="txt-small text-ui-fg-subtle">{children}</dd>
  </div>
);

/**
 * On an order Mamori holds: why, since when, where the undo request stands and what the staff can do.
 * Nothing on any other order.
 */
const OrderHoldWidget = ({ data: order }: DetailWidgetProps<AdminOrder>) => {
  const { t, i18n } = useTranslation();
  const hold = holdOf(order.metadata);
  if (!hold) return null;
  const since = new Date(hold.since);
  return (
    <Container className="divide-y p-0" aria-labelledby="mamori-hold-title" role="region">
      <div className="flex items-center justify-between px-6 py-4">
        <Heading level="h2" id="mamori-hold-title">
          {t('mamori.hold.title')}
        </Heading>
        <StatusBadge color="red">{t('mamori.hold.badge')}</StatusBadge>
      </div>
      <Text size="small" className="px-6 py-4">
        {t('mamori.hold.lead')}
      </Text>
      <dl className="divide-y">
        <Fact label={t('mamori.hold.reason')}>{hold.reason}</Fact>
        <Fact label={t('mamori.hold.since')}>
          {Number.isNaN(since.getTime()) ? hold.since : since.toLocaleString(i18n.language)}
        </Fact>
        <Fact label={t('mamori.hold.request')}>{t('mamori.hold.requestState', { id: hold.request_id })}</Fact>
        <Fact label={t('mamori.hold.canDo')}>{t('mamori.hold.canDoText')}</Fact>
      </dl>
    </Container>
  );
};

// Medusa 2.21 puts widgets after its own sections whatever the zone's `.before`: the side column, beside
// the customer, is seen without scrolling past the summary, payments and fulfilments.
export const config = defineWidgetConfig({ zone: 'order.details.side.before', id: 'mamori:order-hold' });

export default OrderHoldWidget;
