-- What the shop has in stock, and the orders it took. The same SQL runs
-- on SQLite and PostgreSQL.
CREATE TABLE stock (
	item TEXT PRIMARY KEY,
	count INTEGER NOT NULL CHECK (count >= 0)
);
INSERT INTO stock (item, count) VALUES ('book', 1000), ('pen', 5000), ('lamp', 2);

-- placed is when, in nanoseconds since 1970 (UTC).
CREATE TABLE orders (
	item TEXT NOT NULL,
	total TEXT NOT NULL,
	receipt TEXT NOT NULL,
	placed BIGINT NOT NULL
);
CREATE INDEX orders_item ON orders (item, placed);
