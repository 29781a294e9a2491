import { isWriteRequest } from './write-intent';
import { tokenize } from '../text/tokenize';

const isWrite = (question: string) => isWriteRequest(question, tokenize(question));

describe('isWriteRequest', () => {
  it.each([
    'Drop the payment table',
    'Mark every pending member as active',
    'delete all payments',
    'Give everyone a raise',
    'Please remove all inactive members',
    'Can you delete the customers table?',
    'I want to update the prices',
    'Set all orders to shipped',
    'Truncate attendance',
    'Add a column for phone numbers',
    'Show the members and then delete them',
    'List the orders and create a backup',
    'Show the orders and email them',
    'select 1; DROP TABLE member',
    'insert into member values (1)',
    'UPDATE payment SET amount = 0',
  ])('refuses %p', (question) => {
    expect(isWrite(question)).toBe(true);
  });

  it.each([
    'How many payments were deleted?',
    'How many were dropped?',
    'Give me the number of members',
    'Add up all payments',
    'Show members who updated their email',
    'List the removed items',
    'What is the total?',
    // A write verb that is also a noun, after "and": a column, not a command.
    'What are the distinct states and create time of all votes?',
    'List the names and email addresses of all customers',
  ])('reads %p', (question) => {
    expect(isWrite(question)).toBe(false);
  });
});
