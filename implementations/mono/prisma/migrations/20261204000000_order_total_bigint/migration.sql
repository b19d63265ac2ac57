-- An order's total is the sum of price x quantity over up to every product in stock: it can pass 2^31 cents
-- (a checkout of many lines), which an INTEGER column rejects with a 500. Money stays integer cents.
ALTER TABLE "orders" ALTER COLUMN "total_amount" SET DATA TYPE BIGINT;
