import { describe, expect, it } from 'vitest';
import { bench, type Bench } from './testkit';

const HEADER = 'program,account,premise,status,effective_date,change';

function enrolments(b: Bench, account: string) {
  return b.rows(
    `SELECT p.code AS program, e.status, e.effective_date AS start, e.end_date AS end
     FROM program_enrolment e JOIN program p ON p.id = e.program_id JOIN account a ON a.id = e.account_id
     WHERE a.account_number = ? ORDER BY e.id`,
    account,
  );
}

function changes(b: Bench, account: string) {
  return b.rows(
    `SELECT c.change, c.effective_date AS day, c.status FROM program_enrolment_change c
     JOIN program_enrolment e ON e.id = c.enrolment_id JOIN account a ON a.id = e.account_id
     WHERE a.account_number = ? ORDER BY c.id`,
    account,
  );
}

describe('programs delta feed', () => {
  it('applies adds, updates and ends in effective-date order and records every row', async () => {
    const b = await bench();
    const r = await b.run(
      'programs',
      b.file('delta.csv', [
        HEADER,
        // Concatenated nightly files, not in date order.
        'UES TOU-RES,110000001,3000001,enrolled,2018-03-15,update',
        'UES TOU-RES,110000001,3000001,pending,2018-03-01,add',
        'KW Daily,110000002,,enrolled,2018-04-01,add',
        'UES TOU-RES,110000001,,ended,2018-06-30,end',
      ]),
      { org: 'UES' },
    );
    expect(r.status).toBe('committed');
    expect([r.rowsTotal, r.rowsAccepted, r.rowsRejected]).toEqual([4, 4, 0]);
    expect(r.written).toEqual({ program_enrolment: 2, program_enrolment_change: 4 });
    expect(r.findings).toEqual([
      {
        kind: 'note',
        message: 'the rows are not in effective-date order; they were applied in date order',
      },
    ]);
    expect(enrolments(b, '110000001')).toEqual([
      { program: 'UES TOU-RES', status: 'ended', start: '2018-03-01', end: '2018-06-30' },
    ]);
    expect(changes(b, '110000001')).toEqual([
      { change: 'add', day: '2018-03-01', status: 'pending' },
      { change: 'update', day: '2018-03-15', status: 'enrolled' },
      { change: 'end', day: '2018-06-30', status: 'ended' },
    ]);
    expect(enrolments(b, '110000002')).toEqual([
      { program: 'KW Daily', status: 'enrolled', start: '2018-04-01', end: null },
    ]);
  });

  it('treats an add for an active enrolment as an update, and re-enrols after an end', async () => {
    const b = await bench();
    await b.run(
      'programs',
      b.file('night1.csv', [HEADER, 'UES TOU-RES,110000003,,pending,2018-05-01,add']),
      { org: 'UES' },
    );
    const r = await b.run(
      'programs',
      b.file('night2.csv', [
        HEADER,
        'UES TOU-RES,110000003,,enrolled,2018-05-15,add',
        'UES TOU-RES,110000003,,ended,2018-07-01,end',
        'UES TOU-RES,110000003,,pending,2018-09-01,add',
      ]),
      { org: 'UES' },
    );
    expect(r.rowsAccepted).toBe(3);
    expect(r.findings).toEqual([
      {
        kind: 'tolerated',
        subject: 'UES TOU-RES for account 110000003',
        message:
          'line 2: UES TOU-RES for account 110000003: add on 2018-05-15 for an enrolment active since 2018-05-01; applied as an update',
      },
    ]);
    expect(enrolments(b, '110000003')).toEqual([
      { program: 'UES TOU-RES', status: 'ended', start: '2018-05-01', end: '2018-07-01' },
      { program: 'UES TOU-RES', status: 'pending', start: '2018-09-01', end: null },
    ]);
    expect(changes(b, '110000003').map((c) => c.change)).toEqual(['add', 'add', 'end', 'add']);
  });

  it('rejects what cannot apply: unknown programs (naming the known ones), ends and updates of nothing', async () => {
    const b = await bench();
    const r = await b.run(
      'programs',
      b.file('bad.csv', [
        HEADER,
        'UES TOU-RES,110000001,,enrolled,2018-03-01,add', // 2 good
        'UES TOU-BIZ,110000001,,enrolled,2018-03-01,add', // 3 unknown program
        'KW Daily,110000002,,ended,2018-03-01,end', // 4 end of nothing
        'KW Daily,110000003,,enrolled,2018-03-01,update', // 5 update of nothing
        'KW Daily,119999999,,enrolled,2018-03-01,add', // 6 unknown account
        'KW Daily,,,enrolled,2018-03-01,add', // 7 neither account nor premise
        'KW Daily,110000002,,sleeping,2018-03-01,add', // 8 unknown status
        'KW Daily,110000002,,enrolled,2018-03-01,swap', // 9 unknown change
        'KW Daily,110000002,,enrolled,2018-02-30,add', // 10 no such date
        'KW Daily,110000002,,ended,2018-03-01,add', // 11 add that is ended
        'UES TOU-RES,110000001,,ended,2018-02-01,end', // 12 applied in date order: before the add
      ]),
      { org: 'UES' },
    );
    expect([r.rowsTotal, r.rowsAccepted, r.rowsRejected]).toEqual([11, 1, 10]);
    const byLine = new Map(r.rejects.map((x) => [x.line, x]));
    expect([...byLine.keys()].sort((a, c) => a - c)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(byLine.get(3)).toMatchObject({
      column: 'program',
      value: 'UES TOU-BIZ',
      reason: 'unknown program "UES TOU-BIZ" for UES; its programs are KW Daily, UES TOU-RES',
    });
    expect(byLine.get(4)).toMatchObject({
      column: 'change',
      reason: 'KW Daily for account 110000002: no enrolment to end; the feed must add it first',
    });
    expect(byLine.get(5)?.reason).toBe(
      'KW Daily for account 110000003: no enrolment to update; the feed must add it first',
    );
    expect(byLine.get(6)?.reason).toBe(
      'unknown account 119999999 for UES; import the CIS file that has it first',
    );
    expect(byLine.get(8)?.reason).toBe(
      'unknown enrolment status "sleeping"; expected one of enrolled, pending, completed, ended',
    );
    expect(byLine.get(9)?.reason).toBe('unknown change "swap"; expected add, update or end');
    expect(byLine.get(12)?.reason).toBe(
      'UES TOU-RES for account 110000001: no enrolment to end; the feed must add it first',
    );
    const later = await b.run(
      'programs',
      b.file('later.csv', [HEADER, 'UES TOU-RES,110000001,,ended,2018-02-01,end']),
      { org: 'UES' },
    );
    expect(later.rejects[0]?.reason).toBe(
      "UES TOU-RES for account 110000001: end 2018-02-01 is before the enrolment's start 2018-03-01",
    );
    expect(enrolments(b, '110000001')).toEqual([
      { program: 'UES TOU-RES', status: 'enrolled', start: '2018-03-01', end: null },
    ]);
    expect(enrolments(b, '110000002')).toEqual([]);
  });

  it('is idempotent: a duplicate file is a no-op, a re-sent night changes nothing', async () => {
    const b = await bench();
    const rows = [
      HEADER,
      'UES TOU-RES,110000002,,pending,2018-03-01,add',
      'UES TOU-RES,110000002,,enrolled,2018-03-15,update',
      'UES TOU-RES,110000002,,ended,2018-05-01,end',
    ];
    const f = b.file('delta.csv', rows);
    await b.run('programs', f, { org: 'UES' });
    expect((await b.run('programs', f, { org: 'UES' })).status).toBe('duplicate');
    const resent = await b.run('programs', b.file('resent.csv', [...rows, '']), { org: 'UES' });
    expect(resent.status).toBe('committed');
    expect([resent.rowsAccepted, resent.rowsRejected]).toEqual([3, 0]);
    expect(resent.findings).toEqual([
      {
        kind: 'duplicate',
        count: 3,
        message: '3 rows repeat changes already recorded; nothing to change',
      },
    ]);
    expect(changes(b, '110000002')).toHaveLength(3);
    expect(enrolments(b, '110000002')).toEqual([
      { program: 'UES TOU-RES', status: 'ended', start: '2018-03-01', end: '2018-05-01' },
    ]);
  });

  it('keys an enrolment by premise when the feed has no account, and keeps late updates as history', async () => {
    const b = await bench();
    await b.run(
      'programs',
      b.file('n1.csv', [
        HEADER,
        'KW Daily,,3000003,pending,2018-03-01,add',
        'KW Daily,,3000003,enrolled,2018-03-20,update',
      ]),
      { org: 'UES' },
    );
    const r = await b.run(
      'programs',
      b.file('n2.csv', [HEADER, 'KW Daily,,3000003,completed,2018-03-10,update']),
      { org: 'UES' },
    );
    expect(r.rowsAccepted).toBe(1);
    expect(r.findings[0]?.message).toBe(
      'line 2: KW Daily for premise 3000003: update to completed dated 2018-03-10 arrived after a change dated 2018-03-20; recorded, current status enrolled kept',
    );
    expect(
      b.rows(
        `SELECT e.status, e.account_id AS account, c.change, c.status AS changed FROM program_enrolment e
         JOIN premise p ON p.id = e.premise_id JOIN program_enrolment_change c ON c.enrolment_id = e.id
         WHERE p.source_key = '3000003' ORDER BY c.id`,
      ),
    ).toEqual([
      { status: 'enrolled', account: null, change: 'add', changed: 'pending' },
      { status: 'enrolled', account: null, change: 'update', changed: 'enrolled' },
      { status: 'enrolled', account: null, change: 'update', changed: 'completed' },
    ]);
  });

  it('reads a utility layout through a profile: its own words for changes and statuses', async () => {
    const b = await bench();
    const r = await b.run(
      'programs',
      b.file('ues.csv', [
        'PROG_CD,ACCT_NO,PREMISE_NO,ENRL_STATUS,EFF_DT,ACTION,CHANNEL',
        'UES TOU-RES,110000001,3000001,PENDING,03/01/2018,A,WEB',
        'UES TOU-RES,110000001,3000001,ACTIVE,03/15/2018,CHG,',
        'UES TOU-RES,110000001,3000001,OPT OUT,06/30/2018,D,CSR',
      ]),
      {
        org: 'UES',
        profile: {
          name: 'ues-delta',
          kind: 'programs',
          dateFormat: 'mdy',
          columns: {
            program: 'PROG_CD',
            account: 'ACCT_NO',
            premise: 'PREMISE_NO',
            status: 'ENRL_STATUS',
            effective_date: 'EFF_DT',
            change: 'ACTION',
          },
        },
      },
    );
    expect([r.rowsAccepted, r.rowsRejected]).toEqual([3, 0]);
    expect(changes(b, '110000001')).toEqual([
      { change: 'add', day: '2018-03-01', status: 'pending' },
      { change: 'update', day: '2018-03-15', status: 'enrolled' },
      { change: 'end', day: '2018-06-30', status: 'ended' },
    ]);
    expect(
      b.rows(
        "SELECT value FROM source_attribute WHERE source_table = 'program_enrolment_change' AND name = 'CHANNEL' ORDER BY value",
      ),
    ).toEqual([{ value: 'CSR' }, { value: 'WEB' }]);
  });

  it('needs --org', async () => {
    const b = await bench();
    await expect(
      b.run('programs', b.file('d.csv', [HEADER, 'KW Daily,110000001,,enrolled,2018-03-01,add'])),
    ).rejects.toThrow(/need --org/);
  });
});
