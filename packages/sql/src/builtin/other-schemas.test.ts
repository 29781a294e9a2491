import { GenerationFailedError } from '@flock/errors';
import { generateSql } from './builtin-generator';
import { clinicSchema, librarySchema, shopSchema } from './test-fixtures/other-schemas.fixture';

/**
 * The same question shapes as the demo set, on warehouses that share no names with it:
 * whatever passes here was worked out from the SchemaContext, not remembered.
 */
describe('a library warehouse (book, loan)', () => {
  it.each([
    ['How many books do we have?', 'SELECT count(*) AS count FROM book'],
    ['How many loans were returned?', 'SELECT count(*) AS count FROM loan WHERE returned'],
    ['How many loans were not returned?', 'SELECT count(*) AS count FROM loan WHERE NOT returned'],
    ['How many unreturned loans are there?', 'SELECT count(*) AS count FROM loan WHERE NOT returned'],
    ['How many books per genre?', 'SELECT genre, count(*) AS count FROM book GROUP BY genre ORDER BY count DESC, genre'],
    ['Total fees in 2024', 'SELECT sum(fee) AS total_fee FROM loan WHERE year(loaned_at) = 2024'],
    ['What is the average number of pages?', 'SELECT avg(pages) AS average_pages FROM book'],
    ['Average pages of Fantasy books', "SELECT avg(pages) AS average_pages FROM book WHERE genre = 'Fantasy'"],
    [
      'How many Crime books were published before 2000?',
      "SELECT count(*) AS count FROM book WHERE published_on < DATE '2000-01-01' AND genre = 'Crime'",
    ],
    ['How many books have more than 500 pages?', 'SELECT count(*) AS count FROM book WHERE pages > 500'],
    [
      'Which genre has the most loans?',
      'SELECT b.genre FROM loan l JOIN book b ON l.book_id = b.id GROUP BY b.genre ORDER BY count(*) DESC, b.genre LIMIT 1',
    ],
    [
      'Which book has the most loans?',
      'SELECT b.title FROM loan l JOIN book b ON l.book_id = b.id GROUP BY b.id, b.title ORDER BY count(*) DESC, b.id, b.title LIMIT 1',
    ],
    ['List books published after 2020-01-01', "SELECT title FROM book WHERE published_on > DATE '2020-01-01'"],
    ['List the Science Fiction books', "SELECT title FROM book WHERE genre = 'Science Fiction'"],
    ['Show the 3 longest books', 'SELECT title FROM book ORDER BY pages DESC, id LIMIT 3'],
    ['Top 5 books by pages', 'SELECT title FROM book ORDER BY pages DESC, id LIMIT 5'],
    ['Loans per month', "SELECT date_trunc('month', loaned_at) AS month, count(*) AS count FROM loan GROUP BY 1 ORDER BY 1"],
    ['What genres exist?', 'SELECT DISTINCT genre FROM book ORDER BY genre'],
    ['When was the first book published?', 'SELECT min(published_on) AS min_published_on FROM book'],
    [
      'Total fee paid for Fantasy books',
      "SELECT sum(l.fee) AS total_fee FROM loan l JOIN book b ON l.book_id = b.id WHERE b.genre = 'Fantasy'",
    ],
    ['How many books were loaned in 2023?', 'SELECT count(DISTINCT book_id) AS book_count FROM loan WHERE year(loaned_at) = 2023'],
    ['How many borrowers are there?', 'SELECT count(DISTINCT borrower) AS borrower_count FROM loan'],
    ['What is the total fee for returned loans?', 'SELECT sum(fee) AS total_fee FROM loan WHERE returned'],
    [
      'Average fee per genre',
      'SELECT b.genre, avg(l.fee) AS average_fee FROM loan l JOIN book b ON l.book_id = b.id GROUP BY b.genre ORDER BY average_fee DESC, b.genre',
    ],
    ['How many loans in March 2023?', 'SELECT count(*) AS count FROM loan WHERE year(loaned_at) = 2023 AND month(loaned_at) = 3'],
  ])('%s', (question, sql) => {
    expect(generateSql(question, librarySchema()).sql).toBe(sql);
  });

  it.each(['Delete all loans', 'How many dragons are there?', 'asdf qwer zxcv', 'Give everyone a raise'])('refuses %p', (question) => {
    expect(() => generateSql(question, librarySchema())).toThrow(GenerationFailedError);
  });
});

describe('a shop warehouse (customers, orders, order_items, products)', () => {
  it.each([
    ['How many customers do we have?', 'SELECT count(*) AS count FROM customers'],
    ['How many orders per status?', 'SELECT status, count(*) AS count FROM orders GROUP BY status ORDER BY count DESC, status'],
    ['Total sales in 2023', 'SELECT sum(total) AS total FROM orders WHERE year(order_date) = 2023'],
    [
      'Which customer spent the most?',
      'SELECT c.name FROM orders o JOIN customers c ON o.customer_id = c.id GROUP BY c.id, c.name ORDER BY sum(o.total) DESC, c.id, c.name LIMIT 1',
    ],
    [
      'Which customer has the most orders?',
      'SELECT c.name FROM orders o JOIN customers c ON o.customer_id = c.id GROUP BY c.id, c.name ORDER BY count(*) DESC, c.id, c.name LIMIT 1',
    ],
    ['List VIP customers', 'SELECT name FROM customers WHERE is_vip'],
    ['How many customers are not VIP?', 'SELECT count(*) AS count FROM customers WHERE NOT is_vip'],
    ['List the 10 most expensive products', 'SELECT name FROM products ORDER BY price DESC, id LIMIT 10'],
    [
      'Total quantity sold per product category',
      'SELECT p.category, sum(oi.quantity) AS total_quantity FROM order_items oi JOIN products p ON oi.product_id = p.id GROUP BY p.category ORDER BY total_quantity DESC, p.category',
    ],
    [
      'How many orders were placed by customers from Dublin?',
      "SELECT count(*) AS count FROM orders o JOIN customers c ON o.customer_id = c.id WHERE c.city = 'Dublin'",
    ],
    [
      'How many customers ordered in 2024?',
      'SELECT count(DISTINCT customer_id) AS customers_count FROM orders WHERE year(order_date) = 2024',
    ],
    ['What is the most common order status?', 'SELECT status FROM orders GROUP BY status ORDER BY count(*) DESC, status LIMIT 1'],
    ['Count orders with a total between 100 and 200', 'SELECT count(*) AS count FROM orders WHERE total BETWEEN 100 AND 200'],
    ['How many people live in New York?', "SELECT count(*) AS count FROM customers WHERE city = 'New York'"],
  ])('%s', (question, sql) => {
    expect(generateSql(question, shopSchema()).sql).toBe(sql);
  });

  it.each(['Remove cancelled orders', 'Please update the prices', 'Set all orders to shipped'])('refuses %p', (question) => {
    expect(() => generateSql(question, shopSchema())).toThrow(/read-only/);
  });
});

describe('a warehouse without declared keys and with mixed-case names', () => {
  it.each([
    ['How many patients are there?', 'SELECT count(*) AS count FROM "Patient"'],
    [
      'Which patient has the most visits?',
      'SELECT p."FullName" FROM visit v JOIN "Patient" p ON v.patient_id = p.id GROUP BY p.id, p."FullName" ORDER BY count(*) DESC, p.id, p."FullName" LIMIT 1',
    ],
    ["How many visits to the Children's Ward?", "SELECT count(*) AS count FROM visit WHERE department = 'Children''s Ward'"],
    [
      'Average cost by gender',
      'SELECT p.gender, avg(v.cost) AS average_cost FROM visit v JOIN "Patient" p ON v.patient_id = p.id GROUP BY p.gender ORDER BY average_cost DESC, p.gender',
    ],
    ['List female patients', `SELECT "FullName" FROM "Patient" WHERE gender = 'female'`],
    [
      'How many non-emergency visits in March 2024?',
      'SELECT count(*) AS count FROM visit WHERE NOT is_emergency AND year(visit_date) = 2024 AND month(visit_date) = 3',
    ],
    [
      'What is the total cost of cardiology visits for male patients?',
      `SELECT sum(v.cost) AS total_cost FROM visit v JOIN "Patient" p ON v.patient_id = p.id WHERE v.department = 'Cardiology' AND p.gender = 'male'`,
    ],
  ])('%s', (question, sql) => {
    expect(generateSql(question, clinicSchema()).sql).toBe(sql);
  });
});
