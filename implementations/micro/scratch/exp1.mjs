import { MongoClient } from 'mongodb';
import { generateDataset } from '@lab/contract';
const scale = Number(process.argv[2] ?? 1);
const c = new MongoClient('mongodb://127.0.0.1:37017', { maxPoolSize: 20 });
await c.connect();
const info = await c.db('admin').command({ buildInfo: 1 });
console.log('buildInfo keys', Object.keys(info).join(','), info.version, info.ferretdbVersion);
const db = c.db('exp_' + scale);
await db.dropDatabase();
const d = generateDataset({ seed: 42, scale });
const t = (l, t0) => console.log(l, (performance.now() - t0).toFixed(1), 'ms');
let t0 = performance.now();
const prods = d.products.map(p => ({ _id: p.id, categoryId: p.categoryId, name: p.name, description: p.description, image: p.image }));
for (let i = 0; i < prods.length; i += 10000) await db.collection('products').insertMany(prods.slice(i, i + 10000), { ordered: false });
t('insert products', t0);
t0 = performance.now();
const stock = d.inventory.map(p => ({ _id: p.productId, available: p.available }));
await db.collection('stock').insertMany(stock, { ordered: false });
t('insert stock', t0);
t0 = performance.now();
const sstock = d.inventory.map(p => ({ _id: 'p' + p.productId, available: p.available }));
await db.collection('sstock').insertMany(sstock, { ordered: false });
t('insert sstock', t0);
for (let k = 0; k < 3; k++) {
t0 = performance.now(); await db.collection('stock').findOne({ _id: 77 }); t('findOne int _id', t0);
t0 = performance.now(); await db.collection('sstock').findOne({ _id: 'p77' }); t('findOne str _id', t0);
t0 = performance.now(); await db.collection('stock').find({ _id: { $in: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24] } }).toArray(); t('find $in 24 int', t0);
t0 = performance.now(); await db.collection('products').find({ categoryId: 3 }).sort({ _id: 1 }).limit(24).project({ name: 1 }).toArray(); t('products by cat sorted', t0);
t0 = performance.now(); await Promise.all(Array.from({length: 24}, (_, i) => db.collection('sstock').findOne({ _id: 'p' + (i+100) }))); t('24 parallel str findOne', t0);
t0 = performance.now(); await db.collection('stock').updateOne({ _id: 77, available: { $gte: 1 } }, { $inc: { available: -1 } }); t('cond update int', t0);
t0 = performance.now(); await db.collection('sstock').updateOne({ _id: 'p77', available: { $gte: 1 } }, { $inc: { available: -1 } }); t('cond update str', t0);
}
// race test
await db.collection('sstock').updateOne({ _id: 'p5' }, { $set: { available: 5 } });
const res = await Promise.all(Array.from({ length: 50 }, () => db.collection('sstock').updateOne({ _id: 'p5', available: { $gte: 1 } }, { $inc: { available: -1 } })));
console.log('race: modified', res.filter(r => r.modifiedCount === 1).length, 'final', (await db.collection('sstock').findOne({ _id: 'p5' })).available);
await c.close();
