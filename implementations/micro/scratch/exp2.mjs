import { MongoClient } from 'mongodb';
const c = new MongoClient('mongodb://127.0.0.1:37017', { maxPoolSize: 20 });
await c.connect();
const db = c.db('exp2');
await db.dropDatabase();
const t = (l, t0) => console.log(l, (performance.now() - t0).toFixed(1), 'ms');
await db.collection('one').insertOne({ _id: 'a', n: 0 });
for (let k = 0; k < 3; k++) {
let t0 = performance.now(); await db.collection('one').insertOne({ _id: 'x' + k, n: 0 }); t('insertOne', t0);
t0 = performance.now(); await db.collection('one').updateOne({ _id: 'a' }, { $inc: { n: 1 } }); t('updateOne tiny coll', t0);
t0 = performance.now(); await db.collection('one').findOne({ _id: 'a' }); t('findOne', t0);
t0 = performance.now(); await db.collection('one').findOneAndUpdate({ _id: 'a' }, { $inc: { n: 1 } }); t('findOneAndUpdate', t0);
t0 = performance.now(); await db.collection('one').deleteOne({ _id: 'x' + k }); t('deleteOne', t0);
}
await c.close();
