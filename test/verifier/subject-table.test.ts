import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { subjectKey } from '../../verifier/classify/log-event.ts';
import { SubjectColumn } from '../../verifier/rules/subject-column.ts';
import { NO_SUBJECT, SubjectTable } from '../../verifier/rules/subject-table.ts';

const subject = fc.record({
  broker: fc.option(fc.string({ unit: 'binary', maxLength: 6 }), { nil: undefined }),
  user: fc.option(fc.string({ unit: 'binary', maxLength: 12 }), { nil: undefined }),
});

describe('SubjectTable interns (broker, user) as dense ids', () => {
  it('agrees with a Map model: same subject, same id; ids dense in first-seen order, a user\'s broker first; find never interns', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), subject), { maxLength: 400 }), (ops) => {
        const table = new SubjectTable();
        const model = new Map<string, number>();
        for (const [intern, { broker, user }] of ops) {
          // A missing broker is keyed as `?`, as subjectKey keys it.
          const key = JSON.stringify([broker ?? '?', user ?? null]);
          if (intern) {
            const brokerKey = JSON.stringify([broker ?? '?', null]);
            if (!model.has(brokerKey)) model.set(brokerKey, model.size);
            if (!model.has(key)) model.set(key, model.size);
            expect(table.idOf(broker, user)).toBe(model.get(key));
          } else {
            expect(table.find(broker, user)).toBe(model.get(key) ?? NO_SUBJECT);
          }
          expect(table.size).toBe(model.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives back each user exactly, lone surrogates and non-Latin names included', () => {
    fc.assert(
      fc.property(fc.array(subject, { maxLength: 200 }), (subjects) => {
        const table = new SubjectTable();
        for (const s of subjects) expect(table.userOf(table.idOf(s.broker, s.user))).toBe(s.user);
      }),
    );
  });

  it('keeps names that a UTF-8 encoder would merge apart', () => {
    const table = new SubjectTable();
    expect(table.idOf('angel', '\uD800')).not.toBe(table.idOf('angel', '\uDC00'));
    expect(table.idOf('angel', '\uD800')).not.toBe(table.idOf('angel', '\uFFFD'));
  });

  it('keeps a name longer than a page of keys, and the names after it', () => {
    const table = new SubjectTable();
    const long = 'x'.repeat(70_000);
    const id = table.idOf('angel', long);
    const after = table.idOf('angel', 'u1');
    expect(table.userOf(id)).toBe(long);
    expect(table.find('angel', long)).toBe(id);
    expect(table.find('angel', 'u1')).toBe(after);
    expect(table.find('angel', long.slice(1))).toBe(NO_SUBJECT);
  });

  it('tells a broker of its own from a user of that broker, and a missing broker from "?"', () => {
    const table = new SubjectTable();
    const broker = table.idOf('angel');
    expect(table.idOf('angel', '')).not.toBe(broker);
    expect(table.idOf(undefined, 'u1')).toBe(table.idOf('?', 'u1'));
    expect(subjectKey({ user: 'u1' })).toBe(subjectKey({ broker: '?', user: 'u1' }));
  });

  it('holds 200,000 users of two brokers, each found again after the slots and pages have grown many times', () => {
    const table = new SubjectTable();
    const ids = Array.from({ length: 200_000 }, (_, i) => table.idOf(i % 2 === 0 ? 'angel' : 'fyers', `u${i}`));
    for (let i = 0; i < 200_000; i += 997) expect(table.find(i % 2 === 0 ? 'angel' : 'fyers', `u${i}`)).toBe(ids[i]);
    expect(table.find('angel', 'u1')).toBe(NO_SUBJECT);
    expect(table.find('angel', 'u200000')).toBe(NO_SUBJECT);
    expect(new Set(ids).size).toBe(200_000);
    expect(table.size).toBe(200_002);
  });
});

describe('SubjectColumn holds one number per id', () => {
  it('agrees with a Map model, reading `empty` for ids never set, however far apart the ids are', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5_000), fc.integer({ min: -1000, max: 1000 })), { maxLength: 200 }), fc.constantFrom(0, -1), (writes, empty) => {
        const column = new SubjectColumn(empty);
        const model = new Map<number, number>();
        for (const [id, value] of writes) {
          column.set(id, value);
          model.set(id, value);
        }
        for (let id = 0; id <= 5_000; id += 7) expect(column.get(id)).toBe(model.get(id) ?? empty);
        for (const [id, value] of model) expect(column.get(id)).toBe(value);
      }),
    );
  });

  it('byte columns keep small counts and flags, a byte a subject', () => {
    const column = new SubjectColumn(0, 'uint8');
    column.set(5, 255);
    column.set(9_000, 3);
    expect([column.get(5), column.get(9_000), column.get(6), column.get(100_000)]).toEqual([255, 3, 0, 0]);
  });

  it('float64 columns keep times and large sums exactly; NaN marks never', () => {
    const column = new SubjectColumn(Number.NaN, 'float64');
    column.set(3, 1_762_854_300_123);
    column.set(70_000, 999_999 * 1_000_000);
    expect(column.get(3)).toBe(1_762_854_300_123);
    expect(column.get(70_000)).toBe(999_999_000_000);
    expect(column.get(4)).toBeNaN();
  });
});
