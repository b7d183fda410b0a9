/** OpenAPI schemas of the year-end self-evaluation (绩效自评). */
import {
  amount,
  arr,
  bool,
  date,
  DEPARTMENT,
  dict,
  int,
  model,
  nullable,
  obj,
  percent,
  str,
  YEAR,
  type Schema,
} from '../http/openapi.js';

const SCORE: Record<string, Schema> = {
  score: str('Score shown to 2 decimals', { example: '4.70' }),
  exact: str('The exact decimal score', { example: '4.703416666666666666666666666666666666667' }),
};

const CRITERION = model(
  'Criterion',
  obj(
    'One scoring criterion (指标) with its score and how it was obtained',
    {
      id: str('Criterion id', { example: 'decision.budget' }),
      name: str('Criterion name (Chinese)'),
      weight: str('Weight (points)'),
      level1: str('Level-1 group (Chinese)'),
      level2: str('Level-2 group (Chinese)'),
      kind: str('judged by an assessor, computed from the figures, or a composite of sub-items', {
        enum: ['judged', 'computed', 'composite'],
      }),
      ...SCORE,
      how: obj('How the score was computed', {
        formula: str('The formula in words (Chinese)'),
        inputs: dict('The figures it used, by name', str('')),
      }),
      evidence: nullable(str("The assessor's evidence (judged criteria)"), 'Null for computed criteria'),
      sources: arr('Ids of the events the score came from', str('')),
      missing: bool('An input or a judgement is missing, wholly or for a part (scored 0)'),
      notDue: bool('Before the year is closed: the criterion is wholly or partly not yet due (scored 0 so far)'),
      max: obj('The most the criterion can still reach (equal to the score when decided)', SCORE),
      pending: nullable(
        str('What keeps the score open (Chinese): 缺少：…, 尚未评定（AssessmentRecorded）, 尚未到期：…'),
        'Null when decided, and for a composite (its sub-items say)',
      ),
      items: arr('Sub-items of a composite criterion (same shape)', { $ref: '#/components/schemas/Criterion' }),
    },
    ['items'],
  ),
);

const SUBTOTAL = obj('A subtotal of a level-1 or level-2 group', {
  id: str('Group id'),
  name: str('Group name (Chinese)'),
  weight: str('Weight (points)'),
  ...SCORE,
  max: obj('The most the group can still reach', SCORE),
});

const PENDING = obj('A criterion or sub-item whose score is still open', {
  criterion: str('Criterion id'),
  name: str('Criterion name (Chinese)'),
  weight: str('Weight (points)'),
  score: str('Its score so far, 2 decimals'),
  max: str('The most it can reach, 2 decimals'),
  reason: str(
    'Why it is open (Chinese), e.g. 缺少：资产报告（AssetsReported）, 尚未评定（AssessmentRecorded）, 尚未到期：…',
  ),
});

/** The range of a total: the score so far and the most it can still reach. */
const RANGE = obj(
  'The score so far (what is missing or not yet due counts 0) and the most it can still reach (that at its best)',
  {
    min: obj('The score so far', SCORE),
    max: obj('The most it can still reach', SCORE),
  },
);

const GRADES = arr(
  'The grades still possible, lowest first (one when decided; shown 良—优)',
  str('Grade', { enum: ['差', '中', '良', '优'] }),
);

const STATUS = str(
  'final: YearClosed is among the events considered and every input and judgement is in; incomplete: closed, but ' +
    'some are missing; forecast: not closed yet, a running score as of dueAsOf',
  { enum: ['final', 'incomplete', 'forecast'] },
);

const PAIR = obj('An amount of all fund sources and of fiscal funds', {
  total: amount('All fund sources'),
  fiscal: amount('Of which fiscal appropriations (其中：财政拨款)'),
});

export const EVALUATION = model(
  'Evaluation',
  obj(
    'The year-end self-evaluation of a department-year: final once YearClosed is in the log with every input and ' +
      'judgement, incomplete when some are missing, else a running forecast; the total as a range while open',
    {
      department: DEPARTMENT,
      year: YEAR,
      departmentName: str('Department name (Chinese)'),
      framework: obj('The scoring framework', {
        id: str('Framework id', { example: 'shenzhen-department-overall' }),
        version: str('Framework version'),
        name: str('Framework name (Chinese)'),
      }),
      status: STATUS,
      asOf: date('The latest record date of the events considered'),
      dueAsOf: nullable(
        date('The date a forecast judged what is due by: knownOn when given, else asOf'),
        'Null once the year is closed',
      ),
      knownOn: nullable(date('Only events recorded on or before this date'), 'Null: everything known now'),
      eventsConsidered: int('Events scored'),
      note: nullable(str('What a forecast or an incomplete result means (Chinese)'), 'Null for a final evaluation'),
      criteria: arr('The scoring table: every top-level criterion', CRITERION),
      level1: arr('Subtotals of the level-1 groups', SUBTOTAL),
      level2: arr('Subtotals of the level-2 groups', SUBTOTAL),
      total: obj('The total score so far (the sum of the criterion scores; the total when final)', SCORE),
      range: RANGE,
      grade: nullable(str('Grade: 优, 良, 中 or 差'), 'Null when the range does not decide it (see grades)'),
      grades: GRADES,
      missing: arr('What is missing: inputs of computed criteria and judgements (AssessmentRecorded)', PENDING),
      notDue: arr('Before the year is closed: what is not yet due', PENDING),
      indicators: obj('Performance indicators (绩效指标) and their attainment', {
        defined: int('Indicators defined'),
        applicable: int('Defined and applicable'),
        met: int('Met'),
        items: arr(
          'Every indicator',
          obj(
            'One indicator',
            {
              indicator: str('Indicator id'),
              level1: str('Level-1 group (Chinese)'),
              level2: str('Level-2 group (Chinese)'),
              name: str('Name (Chinese)'),
              target: str('Target as defined (Chinese)'),
              actual: nullable(str('Reported value'), 'Null when not reported'),
              met: bool('Whether the target was met'),
              status: str('Attainment', { enum: ['met', 'not_met', 'not_applicable', 'not_reported', 'invalid'] }),
              problem: str('Why it could not be judged (status invalid)'),
              sources: arr('Event ids', str('')),
            },
            ['met', 'problem'],
          ),
        ),
      }),
      effectSuggestion: nullable(
        obj('A suggested score for the effect criterion from the indicators', {
          criterion: str('Criterion id'),
          weight: str('Weight'),
          score: nullable(str('Suggested score, 2 decimals')),
          exact: nullable(str('Exact suggested score')),
          formula: str('How it was computed (Chinese)'),
        }),
        'Null when the framework has none',
      ),
      reconciliation: nullable(
        obj('The submitted self-evaluation (SelfEvaluationSubmitted) checked against the computed one', {
          submittedBy: str('Id of the submitting event'),
          submittedTotal: str('Submitted total'),
          submittedGrade: str('Submitted grade'),
          sumOfSubmitted: str('Sum of the submitted top-level scores'),
          computedTotal: str('Computed total so far'),
          computedMax: str('The most the computed total can still reach (equal when decided)'),
          computedGrade: nullable(str('Computed grade'), 'Null when the range does not decide it'),
          computedGrades: arr('The computed grades still possible, lowest first', str('Grade')),
          findings: arr(
            'Scores that disagree',
            obj('One finding', {
              criterion: str('Criterion id'),
              name: nullable(str('Criterion name (Chinese)')),
              kind: str('What disagrees'),
              submitted: nullable(str('Submitted score')),
              computed: nullable(str('Computed score, 2 decimals')),
              weight: nullable(str('Weight')),
              reason: str('Why (Chinese)'),
            }),
          ),
          totalFindings: arr(
            'Totals and grades that disagree',
            obj('One finding', {
              kind: str('What disagrees', {
                enum: ['total_vs_sum', 'total_vs_computed', 'grade_vs_total', 'grade_vs_computed'],
              }),
              submitted: str('Submitted'),
              expected: str('Expected'),
              reason: str('Why (Chinese)'),
            }),
          ),
        }),
        'Null when no self-evaluation was submitted',
      ),
      budget: obj('Budget and spending of the year by main task (年度主要任务完成情况), as corrected', {
        tasks: arr(
          'One row per task: the budget lines of one task',
          obj('One task', {
            name: str('Task name (Chinese)'),
            lines: arr(
              'Its budget lines',
              obj('A line', {
                line: str('Line id'),
                name: str('Line name (Chinese)'),
                unit: str('Unit id'),
                source: str('Fund source'),
              }),
            ),
            budget: PAIR,
            spent: PAIR,
            rate: nullable(percent('spent / budget of all sources'), 'Null without budget'),
          }),
        ),
        total: obj('All tasks', { budget: PAIR, spent: PAIR }),
      }),
    },
  ),
);
