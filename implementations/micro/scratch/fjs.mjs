import fjs from 'fast-json-stringify';
import { generateDataset, Oracle } from '@lab/contract';
const o = new Oracle(generateDataset({ seed: 42, scale: 1 }), { adminToken: 'xxxxxxxxxx' });
const page = o.handle({ method: 'GET', url: '/api/categories/' + o.catalog.categoriesByName[0].slug + '/products?pageSize=24' }).body;
const pdp = o.handle({ method: 'GET', url: '/api/products/5' }).body;
const price = { type: 'object', properties: { amount: { type: 'integer' }, currency: { type: 'string' }, compareAt: { type: ['integer', 'null'] } } };
const card = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, categoryId: { type: 'integer' }, price, inStock: { type: 'boolean' }, rating: { type: 'object', properties: { average: { type: 'number' }, count: { type: 'integer' } } }, image: { type: 'string' } } };
const schema = { type: 'object', properties: { category: { type: 'object', properties: { id: { type: 'integer' }, slug: { type: 'string' }, name: { type: 'string' }, productCount: { type: 'integer' } } }, page: { type: 'integer' }, pageSize: { type: 'integer' }, total: { type: 'integer' }, products: { type: 'array', items: card } } };
const s = fjs(schema);
console.log(s(page) === JSON.stringify(page));
for (let r = 0; r < 3; r++) {
let t0 = performance.now(); for (let i = 0; i < 20000; i++) JSON.stringify(page); const a = performance.now() - t0;
t0 = performance.now(); for (let i = 0; i < 20000; i++) s(page); const b = performance.now() - t0;
console.log('JSON.stringify us', (a/20).toFixed(2), 'fjs us', (b/20).toFixed(2), 'bytes', JSON.stringify(page).length);
}
// parse cost
const txt = JSON.stringify(page);
let t0 = performance.now(); for (let i = 0; i < 20000; i++) JSON.parse(txt); console.log('parse us', ((performance.now()-t0)/20).toFixed(2));
