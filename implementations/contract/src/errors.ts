import { allowedMethods } from './routes.js';
import type { ErrorBody, ErrorCode } from './types.js';

export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  insufficient_stock: 409,
  already_checked_out: 409,
  cart_empty: 409,
  service_unavailable: 503,
  upstream_timeout: 504,
};

/**
 * Every error message a target may send. Targets import these instead of writing their own, so error bodies are
 * byte-identical across targets and the verify suite can compare them like any other body.
 */
export const MESSAGES = {
  routeNotFound: 'route not found',
  methodNotAllowed: 'method not allowed',
  malformedRequest: 'malformed HTTP request',
  categoryNotFound: 'category not found',
  productNotFound: 'product not found',
  cartNotFound: 'cart not found',
  unauthorized: 'missing or invalid x-lab-token',
  alreadyCheckedOut: 'cart has already been checked out',
  emptyCart: 'cart is empty',
  contentType: 'content-type must be application/json',
  bodyNotObject: 'body must be a JSON object',
  productId: 'productId must be a positive integer',
  quantity: 'quantity must be an integer between 1 and 99',
  page: 'page must be an integer between 1 and 1000000',
  pageSize: 'pageSize must be an integer between 1 and 100',
  sort: 'sort must be one of popular, price_asc, price_desc, rating',
  qMissing: 'q is required',
  qTooLong: 'q must be at most 100 characters',
  qNoTokens: 'q must contain a letter or a digit',
  limit: 'limit must be an integer between 1 and 50',
  repeated: (name: string) => `${name} must not be repeated`,
  insufficientStock: (productId: number) => `insufficient stock for product ${productId}`,
  serviceUnavailable: (service: string) => `the ${service} service is unavailable`,
  upstreamTimeout: (service: string, ms: number) => `the ${service} service did not answer within ${ms} ms`,
} as const;

export interface ApiError {
  status: number;
  body: ErrorBody;
}

export function apiError(
  code: ErrorCode,
  message: string,
  extra?: { productId?: number; service?: string },
): ApiError {
  const error: ErrorBody['error'] = { code, message, ...extra };
  return { status: STATUS_BY_CODE[code], body: { error } };
}

export const errors = {
  badRequest: (message: string) => apiError('bad_request', message),
  unauthorized: () => apiError('unauthorized', MESSAGES.unauthorized),
  routeNotFound: () => apiError('not_found', MESSAGES.routeNotFound),
  methodNotAllowed: () => apiError('method_not_allowed', MESSAGES.methodNotAllowed),
  categoryNotFound: () => apiError('not_found', MESSAGES.categoryNotFound),
  productNotFound: () => apiError('not_found', MESSAGES.productNotFound),
  cartNotFound: () => apiError('not_found', MESSAGES.cartNotFound),
  alreadyCheckedOut: () => apiError('already_checked_out', MESSAGES.alreadyCheckedOut),
  emptyCart: () => apiError('cart_empty', MESSAGES.emptyCart),
  insufficientStock: (productId: number) =>
    apiError('insufficient_stock', MESSAGES.insufficientStock(productId), { productId }),
  serviceUnavailable: (service: string) =>
    apiError('service_unavailable', MESSAGES.serviceUnavailable(service), { service }),
  upstreamTimeout: (service: string, ms: number) =>
    apiError('upstream_timeout', MESSAGES.upstreamTimeout(service, ms), { service }),
} as const;

export interface UnmatchedAnswer extends ApiError {
  /** The `allow` header of a 405; undefined for a 404. */
  allow: string | undefined;
}

/** The contract's answer when no route matches: 405 with an `allow` header on a known path, else 404. */
export function unmatchedRoute(path: string): UnmatchedAnswer {
  const methods = allowedMethods(path);
  if (methods.length === 0) return { ...errors.routeNotFound(), allow: undefined };
  return { ...errors.methodNotAllowed(), allow: methods.join(', ') };
}

/** Thrown by targets' data layers to carry a contract error through framework code to the error handler. */
export class ContractError extends Error {
  readonly status: number;
  readonly body: ErrorBody;
  constructor(err: ApiError) {
    super(err.body.error.message);
    this.name = 'ContractError';
    this.status = err.status;
    this.body = err.body;
  }
}
