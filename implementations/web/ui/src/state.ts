// The shop's client state: the chosen target, each target's health, and the carts and orders, kept per target (a
// cart id names a cart on one target only). Carts survive a reload (localStorage), orders live for the tab.
import { type C, type Health, TARGETS, type TargetId } from './api.js';

const PREFIX = 'lab-store:';

export const health: Record<TargetId, Health> = Object.fromEntries(
  TARGETS.map((t) => [t.id, 'unknown' as Health]),
);

function isTarget(v: string | null): v is TargetId {
  return TARGETS.some((t) => t.id === v);
}

function read(storage: Storage, key: string): string | null {
  try {
    return storage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

function write(storage: Storage, key: string, value: string | null): void {
  try {
    if (value === null) storage.removeItem(PREFIX + key);
    else storage.setItem(PREFIX + key, value);
  } catch {
    /* storage disabled: the state lives as long as the page */
  }
}

/** The page's own target (it was served by it), else the last choice, else reference. */
export function initialTarget(): TargetId {
  const own = TARGETS.find((t) => String(t.port) === location.port);
  if (own) return own.id;
  const saved = read(localStorage, 'target');
  return isTarget(saved) ? saved : 'reference';
}

export function ownTarget(): TargetId | undefined {
  return TARGETS.find((t) => String(t.port) === location.port)?.id;
}

export function saveTarget(id: TargetId): void {
  write(localStorage, 'target', id);
}

export function cartId(t: TargetId): string | null {
  return read(localStorage, `cart:${t}`);
}

export function setCartId(t: TargetId, id: string | null): void {
  write(localStorage, `cart:${t}`, id);
}

export interface StoredOrder {
  target: TargetId;
  order: C.Order;
}

function orders(): Record<string, StoredOrder> {
  try {
    return JSON.parse(read(sessionStorage, 'orders') ?? '{}') as Record<string, StoredOrder>;
  } catch {
    return {};
  }
}

export function saveOrder(t: TargetId, order: C.Order): void {
  const all = orders();
  all[`${t}/${order.orderId}`] = { target: t, order };
  write(sessionStorage, 'orders', JSON.stringify(all));
}

export function findOrder(t: TargetId, orderId: string): StoredOrder | undefined {
  return orders()[`${t}/${orderId}`];
}
