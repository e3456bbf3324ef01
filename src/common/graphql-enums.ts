/**
 * The kit's enums as GraphQL types, registered once: a resolver or type that shows one imports
 * it from here (the same enum object as the pure module's), so that every module's field or
 * argument uses the same schema type.
 */
import { registerEnumType } from 'type-graphql';
import { Grain } from './periods';

registerEnumType(Grain, {
  name: 'Grain',
  description: 'The size of a period bucket (UTC calendar days).',
  valuesConfig: {
    DAY: { description: 'One calendar day.' },
    WEEK: { description: 'An ISO week, Monday to Sunday; the bucket starts on its Monday.' },
    MONTH: { description: 'A calendar month; the bucket starts on its first day.' },
    QUARTER: { description: 'A calendar quarter (January, April, July, October); the bucket starts on its first day.' },
  },
});

export { Grain };
