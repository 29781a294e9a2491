import { GenerationFailedError } from '@flock/errors';
import type { ColumnInfo } from '@flock/schema';
import { generateSql } from '../builtin-generator';
import { schemaIndex } from '../schema-index';
import { readSingleTable } from './reader';
import { readWords } from './words';
import { col, schema, table } from '../../test-fixtures/schema-builder.fixture';

/**
 * The shapes issue 9 names, on a warehouse of our own making that shares no name with
 * the demo or any benchmark: terse column names, an integer year, a ratio column, names
 * only findable through the lookup values, and one value held by two columns.
 */
const withLookup = (column: ColumnInfo, lookup: string[]): ColumnInfo => ({ ...column, lookup });

const racing = schema(
  table(
    'driver',
    6,
    [
      col('driver_id', 'INTEGER'),
      withLookup(col('full_name', 'VARCHAR'), ['Ana Lima', 'Bo Berg', 'Cy Otieno', 'Di Rojas', 'Ed Hale', 'Flo Nakamura']),
      col('nationality', 'VARCHAR', ['Kenya', 'Chile', 'Norway']),
      col('Age', 'INTEGER'),
      col('DebutYear', 'INTEGER'),
      col('wins', 'INTEGER'),
      col('podium_ratio', 'DOUBLE'),
      col('is_retired', 'BOOLEAN'),
      col('home_city', 'VARCHAR', ['Santiago', 'Nairobi', 'Oslo']),
      col('team_city', 'VARCHAR', ['Santiago', 'Bergen']),
      col('sex', 'VARCHAR', ['F', 'M']),
    ],
    { primaryKey: ['driver_id'] },
  ),
  table(
    'circuit',
    4,
    [col('circuit_id', 'INTEGER'), col('circuit_name', 'VARCHAR'), col('length_km', 'DOUBLE'), col('opened', 'INTEGER')],
    {
      primaryKey: ['circuit_id'],
    },
  ),
);

const sql = (question: string) => generateSql(question, racing).sql;

function refusal(question: string): string {
  try {
    generateSql(question, racing);
  } catch (error) {
    if (error instanceof GenerationFailedError) return error.message;
    throw error;
  }
  throw new Error(`expected a refusal for ${JSON.stringify(question)}`);
}

describe('the clause reader on a schema of its own', () => {
  it.each([
    // Several outputs and aggregates at once.
    [
      'What is the average, minimum and maximum age of drivers from Kenya?',
      `SELECT avg("Age") AS average_age, min("Age") AS min_age, max("Age") AS max_age FROM driver WHERE nationality = 'Kenya'`,
    ],
    ['Show the full name, nationality and age of every driver.', 'SELECT full_name, nationality, "Age" FROM driver'],
    // "for each X" as GROUP BY.
    [
      'What is the average age for each nationality?',
      'SELECT nationality, avg("Age") AS average_age FROM driver GROUP BY nationality ORDER BY average_age DESC, nationality',
    ],
    [
      'How many drivers are there for each home city?',
      'SELECT home_city, count(*) AS count FROM driver GROUP BY home_city ORDER BY count DESC, home_city',
    ],
    ['How many different circuits are there?', 'SELECT count(*) AS count FROM circuit'],
    // The group with the most rows, said several ways.
    [
      'Which nationality is the most common?',
      'SELECT nationality FROM driver GROUP BY nationality ORDER BY count(*) DESC, nationality LIMIT 1',
    ],
    [
      'What are the 2 home cities with the most drivers?',
      'SELECT home_city FROM driver GROUP BY home_city ORDER BY count(*) DESC, home_city LIMIT 2',
    ],
    // "the name of" a text column is that column's value.
    [
      'What is the name of every home city that has at least 2 drivers?',
      'SELECT home_city FROM driver GROUP BY home_city HAVING count(*) >= 2',
    ],
    ['Which nationalities have more than one driver?', 'SELECT nationality FROM driver GROUP BY nationality HAVING count(*) > 1'],
    // Count conditions as HAVING, never as a row filter.
    ['Show the nationalities shared by at least two drivers.', 'SELECT nationality FROM driver GROUP BY nationality HAVING count(*) >= 2'],
    ['Which nationalities have 3 or more drivers?', 'SELECT nationality FROM driver GROUP BY nationality HAVING count(*) >= 3'],
    // Order words.
    ['List the full names of drivers in descending order of age.', 'SELECT full_name FROM driver ORDER BY "Age" DESC'],
    ['List the full names of drivers in alphabetical order.', 'SELECT full_name FROM driver ORDER BY full_name'],
    [
      'Show full name and wins of drivers ordered by wins from the highest to the lowest.',
      'SELECT full_name, wins FROM driver ORDER BY wins DESC',
    ],
    ['Sort the full names of drivers in descending order of their age.', 'SELECT full_name FROM driver ORDER BY "Age" DESC'],
    ['List the full names sorted by the driver wins in ascending order.', 'SELECT full_name FROM driver ORDER BY wins'],
    // "each" with nothing counted lists the distinct values.
    ['List every home city in alphabetical order.', 'SELECT DISTINCT home_city FROM driver ORDER BY home_city'],
    ['Find the home city of each driver.', 'SELECT home_city FROM driver'],
    // Superlatives resolved to a column.
    ['What is the full name of the youngest driver?', 'SELECT full_name FROM driver ORDER BY "Age", driver_id LIMIT 1'],
    ['Show the full names of the 2 oldest drivers.', 'SELECT full_name FROM driver ORDER BY "Age" DESC, driver_id LIMIT 2'],
    ['What is the full name of the driver with the most wins?', 'SELECT full_name FROM driver ORDER BY wins DESC, driver_id LIMIT 1'],
    // Negation.
    ['Which drivers are not from Chile?', "SELECT full_name FROM driver WHERE nationality <> 'Chile'"],
    ['How many drivers are not retired?', 'SELECT count(*) AS count FROM driver WHERE NOT is_retired'],
    // An integer year column, abbreviated in its name.
    ['How many drivers had their debut year after 2015?', 'SELECT count(*) AS count FROM driver WHERE "DebutYear" > 2015'],
    // `*_id` columns and a name found only among the lookup values, several words long.
    ['What is the driver id of Ana Lima?', "SELECT driver_id FROM driver WHERE full_name = 'Ana Lima'"],
    // "ratio" in a column name is that column, not a request to compute a ratio.
    // "Norwegian" pertains to Norway (WordNet), a value of the data.
    [
      'What is the average podium ratio of Norwegian drivers?',
      `SELECT avg(podium_ratio) AS average_podium_ratio FROM driver WHERE nationality = 'Norway'`,
    ],
    ['What is the podium ratio of the driver named Bo Berg?', "SELECT podium_ratio FROM driver WHERE full_name = 'Bo Berg'"],
    // Text patterns.
    ["Which drivers have full names starting with 'Ed'?", "SELECT full_name FROM driver WHERE full_name ILIKE 'Ed%'"],
    ["How many drivers have a full name ending with 'ra'?", "SELECT count(*) AS count FROM driver WHERE full_name ILIKE '%ra'"],
    // OR between two conditions on different columns.
    ['List drivers with more than 10 wins or older than 40.', 'SELECT full_name FROM driver WHERE (wins > 10 OR "Age" > 40)'],
    // "female" over a sex column holding F and M.
    ['How many female drivers are there?', "SELECT count(*) AS count FROM driver WHERE sex = 'F'"],
    // A one-letter slip in a long name still finds it.
    ['How many drivers come from Norwey?', "SELECT count(*) AS count FROM driver WHERE nationality = 'Norway'"],
  ])('%s', (question, expected) => {
    expect(sql(question)).toBe(expected);
  });

  describe('rows named by their key column ("documents" over document_id)', () => {
    const filing = schema(
      table('doc_location', 9, [
        col('document_id', 'INTEGER'),
        col('location_code', 'VARCHAR', ['x', 'y', 'z']),
        col('page_count', 'INTEGER'),
      ]),
    );
    const filed = (question: string) => generateSql(question, filing).sql;

    it.each([
      [
        'Show the location codes with at least 3 documents.',
        'SELECT location_code FROM doc_location GROUP BY location_code HAVING count(*) >= 3',
      ],
      [
        'Which location code is shared by the most documents?',
        'SELECT location_code FROM doc_location GROUP BY location_code ORDER BY count(*) DESC, location_code LIMIT 1',
      ],
      ['What is the page count of the document with id 7?', 'SELECT page_count FROM doc_location WHERE document_id = 7'],
      [
        'What are the minimum and maximum page count of documents?',
        'SELECT min(page_count) AS min_page_count, max(page_count) AS max_page_count FROM doc_location',
      ],
    ])('%s', (question, expected) => {
      expect(filed(question)).toBe(expected);
    });
  });

  it('ranks rows by a date, also one kept as ISO text: "the first student to register", "the 2 latest students"', () => {
    const students = schema(
      table('student', 3, [
        col('student_id', 'INTEGER'),
        withLookup(col('full_name', 'VARCHAR'), ['Ann Ash', 'Bob Birch', 'Cy Cole']),
        withLookup(col('date_registered', 'VARCHAR'), ['2020-01-02 10:00:00', '2021-03-04 09:30:00', '2019-12-31 23:59:59']),
      ]),
    );
    expect(generateSql('Who is the first student to register?', students).sql).toBe(
      'SELECT full_name, date_registered FROM student ORDER BY date_registered LIMIT 1',
    );
    expect(generateSql('Show the full names of the 2 latest students.', students).sql).toBe(
      'SELECT full_name FROM student ORDER BY date_registered DESC LIMIT 2',
    );
    expect(generateSql('When did the last student register?', students).sql).toBe(
      'SELECT max(date_registered) AS max_date_registered FROM student',
    );
  });

  it('counts the rows holding a value in a group condition: "at least 10 professors"', () => {
    const staff = schema(
      table('staff', 40, [
        col('staff_id', 'INTEGER'),
        col('building', 'VARCHAR', ['North', 'South', 'East']),
        col('rank', 'VARCHAR', ['Professor', 'Lecturer']),
        col('apt_number', 'INTEGER'),
      ]),
    );
    expect(generateSql('Which buildings have at least 10 professors?', staff).sql).toBe(
      "SELECT building FROM staff WHERE rank = 'Professor' GROUP BY building HAVING count(*) >= 10",
    );
    // "number of staff" is a count, never a column whose name ends in "number".
    expect(generateSql('Show each building and the number of staff.', staff).sql).toBe(
      'SELECT building, count(*) AS count FROM staff GROUP BY building ORDER BY count DESC, building',
    );
  });

  it('reads abbreviated name columns: Fname is "first name", LName "last name"', () => {
    const people = schema(
      table('member', 3, [col('MemID', 'INTEGER'), col('Fname', 'VARCHAR'), col('LName', 'VARCHAR'), col('Age', 'INTEGER')]),
    );
    expect(generateSql('Show the first name and last name of members older than 30.', people).sql).toBe(
      'SELECT "Fname", "LName" FROM member WHERE "Age" > 30',
    );
  });

  it('takes a quoted name exactly as typed, with no spelling slip forgiven', () => {
    expect(refusal('How many drivers are from "Norwey"?')).toMatch(/'Norwey'/);
    expect(sql('How many drivers have the nationality "Norwey"?')).toBe(
      "SELECT count(*) AS count FROM driver WHERE nationality = 'Norwey'",
    );
  });

  it('never reads an ordinary word as a listed value through its stem', () => {
    // "chileans" is not the value Chile, and "Chile" twice cannot be two different values of one column.
    expect(refusal('How many chileans drive?')).toMatch(/^Could not generate a query/);
    const clash = readSingleTable(readWords('How many drivers from Chile are from Norway?'), schemaIndex(racing));
    expect(clash).toMatchObject({ ok: false, reason: expect.stringMatching(/'nationality' cannot be both "Chile" and "Norway"/) });
  });

  it('refuses a question with words it cannot place, naming them', () => {
    expect(refusal('What is the average age of drivers who like jazz?')).toMatch(/'jazz'/);
  });

  it('refuses a value two columns hold, naming both', () => {
    expect(refusal('How many drivers are from Santiago?')).toMatch(/driver\.home_city and driver\.team_city/);
    // Named with its column, the same value is placed.
    expect(sql('How many drivers have the home city Santiago?')).toBe("SELECT count(*) AS count FROM driver WHERE home_city = 'Santiago'");
  });

  it('says in meta which words it did not use, and why the answer still holds', () => {
    const answer = generateSql('How many circuits were opened after 1990?', racing);
    expect(answer.sql).toBe('SELECT count(*) AS count FROM circuit WHERE opened > 1990');
    const happened = generateSql('How many drivers happened to be retired?', racing);
    expect(happened.ignored).toEqual(['happened']);
    expect(happened.explanation).toBe("Counts driver rows where is_retired is true (not used: 'happened').");
  });

  it('never reads a name typed in lower case as a value of a name column', () => {
    // "lima" is not capitalised, so it stays an ordinary word rather than a bogus filter.
    expect(refusal('How many drivers like lima beans?')).toMatch(/could not be placed/);
  });
});
