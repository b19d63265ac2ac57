// Aliases over the types generated from openapi.yaml (types.gen.ts); nothing here is hand-kept.
import type { components } from './types.gen.js';

type Schemas = components['schemas'];

export type Health = Schemas['Health'];
export type ErrorBody = Schemas['Error'];
export type ErrorCode = Schemas['ErrorCode'];
export type Category = Schemas['Category'];
export type CategoryRef = Schemas['CategoryRef'];
export type Money = Schemas['Money'];
export type Price = Schemas['Price'];
export type Rating = Schemas['Rating'];
export type ProductCard = Schemas['ProductCard'];
export type ProductDetail = Schemas['ProductDetail'];
export type Review = Schemas['Review'];
export type Home = Schemas['Home'];
export type CategoryPage = Schemas['CategoryPage'];
export type SearchResult = Schemas['SearchResult'];
export type CartItem = Schemas['CartItem'];
export type Cart = Schemas['Cart'];
export type AddItemRequest = Schemas['AddItemRequest'];
export type Order = Schemas['Order'];
export type Sort = Schemas['Sort'];
export type Currency = Schemas['Currency'];
