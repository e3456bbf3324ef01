import { SearchResolver } from './search.resolver';

// What other modules use: the kinds of objects, and the registration of a module's searchable objects (src/modules/composition.ts).
export { registerSearchSource, SearchType, type SearchSource } from './search.registry';

export const searchResolvers = [SearchResolver] as const;
