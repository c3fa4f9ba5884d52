import { defineWidgetConfig } from '@medusajs/admin-sdk';
import { Container, Heading, Text } from '@medusajs/ui';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { HeldOrder } from '../../lib/held-orders-list';
import { fetchHeldOrders } from '../lib/client';

type Loaded = { orders: HeldOrder[] } | { failed: true } | null;

/** Above the order list: how many orders Mamori holds, each linked to its page. Nothing when none is held. */
const HeldOrdersWidget = () => {
  const { t, i18n } = useTranslation();
  const [loaded, setLoaded] = useState<Loaded>(null);
  useEffect(() => {
    let current = true;
    fetchHeldOrders().then(
      (orders) => current && setLoaded({ orders }),
      () => current && setLoaded({ failed: true }),
    );
    return () => {
      current = false;
    };
  }, []);
  if (!loaded) return null;
  if ('failed' in loaded)
    return (
      <Container>
        <Text size="small" role="alert">
          {t('mamori.list.failed')}
        </Text>
      </Container>
    );
  if (loaded.orders.length === 0) return null;
  return (
    <Container className="divide-y p-0" aria-labelledby="mamori-held-title" role="region">
      <div className="px-6 py-4">
        <Heading level="h2" id="mamori-held-title">
          {t('mamori.list.title')}
        </Heading>
        <Text size="small" className="text-ui-fg-subtle">
          {t('mamori.list.count', { count: loaded.orders.length })}
        </Text>
      </div>
      <ul className="divide-y">
        {loaded.orders.map((order) => (
          <li key={order.id} className="px-6 py-3">
            <Text size="small">
              <Link to={`/orders/${order.id}`} className="text-ui-fg-interactive hover:underline">
                {t('mamori.list.order', { id: order.display_id })}
              </Link>{' '}
              {order.email ?? ''} ·{' '}
              {t('mamori.list.since', { date: new Date(order.hold.since).toLocaleString(i18n.language) })}
            </Text>
          </li>
        ))}
      </ul>
    </Container>
  );
};

export const config = defineWidgetConfig({ zone: 'order.list.before', id: 'mamori:held-orders' });

export default HeldOrdersWidget;
