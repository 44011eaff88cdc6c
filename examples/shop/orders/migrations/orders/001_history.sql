-- The orders of each customer: seq numbers a customer's orders from 1
-- (the order's ID is "o-" and seq). Ann has ordered three times already.
CREATE TABLE history (
	customer TEXT NOT NULL,
	seq INTEGER NOT NULL,
	item TEXT NOT NULL,
	total TEXT NOT NULL,
	status TEXT NOT NULL,
	receipt TEXT NOT NULL,
	PRIMARY KEY (customer, seq)
);
INSERT INTO history (customer, seq, item, total, status, receipt) VALUES
	('ann', 1, 'book', '$10.30', 'shipped', 'r-4242-1030'),
	('ann', 2, 'pen', '$2.06', 'shipped', 'r-4242-206'),
	('ann', 3, 'lamp', '$41.20', 'paid', 'r-4242-4120');
