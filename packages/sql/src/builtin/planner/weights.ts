/**
 * Every weight the join planner (interpret.ts) scores a candidate fact table with, in
 * one place. A reading's score is what it explains minus what it costs; the fact table
 * with the highest score wins and ties go to fewer joins. The numbers were tuned on the
 * nl-dev questions and the hand-built schemas of other-schemas.test.ts. Their order is
 * what matters, and each says why it sits where it does.
 */
export const PLANNER_WEIGHTS = {
  /** A name matched through a join is less sure than one on the fact table itself. */
  termPerHop: 0.1,
  /** A column used in the plan, by default: more than a mere mention, less than a focus. */
  column: 1.5,
  /** Each hop a used column is away from the fact table. */
  columnPerHop: 0.2,
  /** A part of the question this table cannot honour: all but rules the table out. */
  problem: 8,
  /** Each join the plan needs: the simplest reading of the same words wins. */
  perJoin: 0.3,

  focus: {
    /** "How many people": a table that holds people, more so the more person-like it is. */
    person: 3,
    personScore: 0.1,
    /** A flag counted on its own table ("how many check-ins"). */
    flag: 3,
    /** The counted or listed thing is this very table: the strongest evidence there is. */
    ownTable: 5,
    /** The counted or listed thing is a parent reached through joins, less so per hop. */
    parentTable: 3,
    parentTableCost: 1,
    /** A column shown or counted as the focus. */
    column: 4,
  },

  aggregate: {
    /** The column totalled or averaged, named outright. */
    column: 4,
    /** The table whose main measure is totalled ("total of the orders"). */
    table: 3,
    /** The table's default measure stands in for an unnamed one: a weaker reading. */
    defaultColumn: 1,
  },

  rank: {
    /** "Who ... the most": a person table ranked. */
    person: 2,
    /** What is ranked, as a column or as a table's rows. */
    entityColumn: 3,
    entityTable: 3,
    /** What it is ranked by: a column, rows of this table, or distinct parents. */
    measureColumn: 3,
    measureTable: 4,
    distinctParent: 2,
    /** "the most returns": rows of a flag's own table with the flag set. */
    flag: 4,
    /** "the email of the newest customer": a column shown instead of the label. */
    shownColumn: 2,
  },

  group: {
    /** Grouping by a time grain that the table's date supports. */
    grain: 1.5,
    /** Grouping by a parent row ("per customer"). */
    entity: 1.5,
  },

  filter: {
    /** A date column named right before a time filter. */
    dateHint: 1,
    /** A time filter or comparison that found a column to apply to. */
    time: 1,
    compare: 1,
    /** A listed value placed on the fact table, less per hop to where it lives. */
    value: 2,
    valuePerHop: 0.3,
    /** A flag must beat the other readings of its word by this per hop to count as a filter. */
    flagPerHop: 0.1,
  },

  mention: {
    /** A table named but given no role still says which table the question is about. */
    ownTable: 1.5,
    parentTable: 0.5,
    /** A column named but given no role: weak evidence for its table. */
    column: 0.3,
    /** A table named that this fact cannot reach: evidence against this fact table. */
    unreachableTable: 1.5,
    /** A word of the schema left without a place in this reading. */
    unplaced: 0.3,
  },
} as const;
