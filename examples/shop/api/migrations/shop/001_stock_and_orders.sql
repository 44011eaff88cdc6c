-- What the shop has in stock, and the orders it took.
CREATE TABLE stock (
	item TEXT PRIMARY KEY,
	count INTEGER NOT NULL CHECK (count >= 0)
);
INSERT INTO stock (item, count) VALUES ('book', 1000), ('pen', 5000), ('lamp', 2);

CREATE TABLE orders (
	item TEXT NOT NULL,
	total TEXT NOT NULL,
	receipt TEXT NOT NULL
);
