import { type ApiError, ContractError, errors } from '@lab/contract';
import type {
  OrdersBackend,
  Ports,
  Reply,
  RouteDef,
  RouteInput,
  ServiceName,
  ServiceParts,
  UpstreamResponse,
} from '@lab/micro';

type Input = Partial<Pick<RouteInput, 'params' | 'query' | 'body' | 'headers'>>;

/**
 * One of micro's services inside this process: its route handlers, called as functions. Inputs are what HTTP
 * would have carried (path params, raw query string, parsed body); answers stay objects, never serialised. The
 * page's deadline holds as in micro: past it the caller gets the same 504 upstream_timeout naming the service
 * (micro's Upstream), and a call whose deadline has already passed is not started (micro's services).
 */
export class LocalService {
  private readonly handlers = new Map<string, RouteDef['handler']>();
  private readonly timeout: ContractError;

  constructor(
    readonly name: ServiceName,
    readonly parts: ServiceParts,
    private readonly log: (err: unknown) => void,
    /** UPSTREAM_TIMEOUT_MS: named by the 504, as micro's BFF names it. */
    timeoutMs: number,
  ) {
    for (const r of parts.routes) this.handlers.set(`${r.method} ${r.url}`, r.handler);
    this.timeout = new ContractError(errors.upstreamTimeout(name, timeoutMs));
  }

  /** `route` is "METHOD /template" as the service declares it. Rejects only with a ContractError. */
  async call(route: string, input: Input = {}, deadline?: number): Promise<Reply> {
    const handler = this.handlers.get(route);
    if (!handler) throw new Error(`${this.name} has no route ${route}`);
    if (deadline === undefined) return this.invoke(handler, input, deadline);
    const left = deadline - performance.now();
    if (left <= 0) throw this.timeout;
    const run = this.invoke(handler, input, deadline);
    run.catch(() => undefined); // it may settle after the deadline, when nobody awaits it any more
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        run,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(this.timeout), left);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async invoke(
    handler: RouteDef['handler'],
    input: Input,
    deadline: number | undefined,
  ): Promise<Reply> {
    try {
      return await handler({
        params: input.params ?? {},
        query: input.query ?? '',
        body: input.body,
        headers: input.headers ?? {},
        deadline,
        budgetMs: deadline === undefined ? 0 : Math.max(0, Math.round(deadline - performance.now())),
      });
    } catch (e) {
      if (e instanceof ContractError) throw e;
      // What the service's own process would answer (lib/http.ts errorReply): 503 naming the service.
      this.log(e);
      throw new ContractError(errors.serviceUnavailable(this.name));
    }
  }
}

export type LocalServices = Record<ServiceName, LocalService>;

const asError = (r: Reply) => new ContractError({ status: r.status, body: r.body } as ApiError);

function value<T>(r: Reply): T {
  if (r.status === 200) return r.body as T;
  throw asError(r);
}

function orNull<T>(r: Reply): T | null {
  return r.status === 404 ? null : value<T>(r);
}

/** A contract answer as the HTTP ports return it: orders' bodies are already contract JSON text. */
function asResponse(r: Reply): UpstreamResponse {
  const text = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  return { status: r.status, text };
}

const id = (n: number) => ({ id: String(n) });
const ids = (list: readonly number[]) => `ids=${list.join(',')}`;

/**
 * The BFF's ports (micro's bff/ports.ts) over in-process calls. Calls are not recorded as hops: server-timing
 * lists network hops only, and there are none.
 */
export function localPorts(s: LocalServices): Ports {
  const { catalog, pricing, inventory, reviews, orders } = s;
  return {
    catalog: {
      home: async (h) => value(await catalog.call('GET /home', {}, h.deadline)),
      categoryPage: async (slug, page, pageSize, sort, h) =>
        orNull(
          await catalog.call(
            'GET /categories/:slug/products',
            { params: { slug }, query: `page=${page}&pageSize=${pageSize}&sort=${sort}` },
            h.deadline,
          ),
        ),
      search: async (tokens, limit, h) =>
        value(
          await catalog.call(
            'GET /search',
            { query: `tokens=${tokens.join(',')}&limit=${limit}` },
            h.deadline,
          ),
        ),
      product: async (n, h) => orNull(await catalog.call('GET /products/:id', { params: id(n) }, h.deadline)),
    },
    pricing: {
      prices: async (list, h) =>
        value<{ prices: never[] }>(await pricing.call('GET /prices', { query: ids(list) }, h.deadline))
          .prices,
      price: async (n, h) => orNull(await pricing.call('GET /prices/:id', { params: id(n) }, h.deadline)),
    },
    inventory: {
      available: async (list, h) =>
        value<{ available: (number | null)[] }>(
          await inventory.call('GET /stock', { query: ids(list) }, h.deadline),
        ).available,
      availableOne: async (n, h) =>
        orNull<{ available: number }>(await inventory.call('GET /stock/:id', { params: id(n) }, h.deadline))
          ?.available ?? null,
    },
    reviews: {
      ratings: async (list, h) =>
        value<{ ratings: never[] }>(await reviews.call('GET /ratings', { query: ids(list) }, h.deadline))
          .ratings,
      productReviews: async (n, h) =>
        orNull(await reviews.call('GET /products/:id/reviews', { params: id(n) }, h.deadline)),
    },
    orders: {
      createCart: async (h) => asResponse(await orders.call('POST /carts', {}, h.deadline)),
      getCart: async (cart, h) =>
        asResponse(await orders.call('GET /carts/:id', { params: { id: cart } }, h.deadline)),
      addItem: async (cart, productId, quantity, h) =>
        asResponse(
          await orders.call(
            'POST /carts/:id/items',
            { params: { id: cart }, body: { productId, quantity } },
            h.deadline,
          ),
        ),
      checkout: async (cart, h) =>
        asResponse(await orders.call('POST /carts/:id/checkout', { params: { id: cart } }, h.deadline)),
    },
    // The BFF checked the admin token; each service's reset is what its POST /internal/reset runs.
    resetAll: async () => {
      await Promise.all(Object.values(s).map((svc) => svc.parts.reset()));
    },
  };
}

/** orders' saga ports (micro's orders/main.ts httpOrdersBackend) over in-process calls of pricing and inventory. */
export function localOrdersBackend(
  pricing: LocalService,
  inventory: LocalService,
  /** x-lab-token: inventory moves stock only for its holders, in-process as over HTTP. */
  token: string,
): OrdersBackend {
  const reservation = (rid: string) => ({ params: { id: rid }, headers: { 'x-lab-token': token } });
  return {
    deps: {
      pricing: {
        unitPrice: async (productId, deadline) => {
          const p = orNull<{ amount: number }>(
            await pricing.call('GET /prices/:id', { params: id(productId) }, deadline),
          );
          if (!p) throw new ContractError(errors.productNotFound());
          return p.amount;
        },
      },
      inventory: {
        reserve: async (rid, items, deadline) =>
          asResponse(
            await inventory.call(
              'POST /reservations/:id',
              { ...reservation(rid), body: { items } },
              deadline,
            ),
          ),
        commit: async (rid) =>
          asResponse(await inventory.call('POST /reservations/:id/commit', reservation(rid))),
        release: async (rid) =>
          asResponse(await inventory.call('POST /reservations/:id/release', reservation(rid))),
      },
    },
    banner: 'pricing and inventory in-process',
    close: async () => {},
  };
}
