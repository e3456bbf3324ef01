import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { fromGlobalId } from '../../common/ids';
import { DateScalar } from '../../common/scalars';
import { languageFromAcceptLanguage } from './weekly-markdown';
import { squadWeeklyReport } from './weekly-report.service';
import { ReportLanguage, SquadWeeklyReport } from './weekly-report.types';

@Resolver(() => SquadWeeklyReport)
export class SquadWeeklyReportResolver {
  @Authorized()
  @Query(() => SquadWeeklyReport, {
    description:
      'The squad’s weekly report (周报) for the ISO week (Monday to Sunday, UTC calendar days) holding weekOf: check-ins, key results that moved or turned at risk, tasks done and overdue, KPI movements and alerts, spend against plan, and the same as Markdown. OWNER/ADMIN, FINANCE, API tokens, the squad’s lead and members; others FORBIDDEN. A squad of another organisation: NOT_FOUND. The Markdown is in `language`, else in the first of Chinese or English that the request’s Accept-Language asks for, else Chinese.',
  })
  squadWeeklyReport(
    @Arg('squadId', () => ID) squadId: string,
    @Arg('weekOf', () => DateScalar, { description: 'Any day of the week.' }) weekOf: string,
    @Arg('language', () => ReportLanguage, { nullable: true, description: 'The Markdown’s language; overrides Accept-Language.' })
    language: ReportLanguage | null,
    @Ctx() ctx: Context,
  ) {
    return squadWeeklyReport(
      ctx,
      fromGlobalId(squadId, 'Squad', 'squadId'),
      weekOf,
      language ?? languageFromAcceptLanguage(ctx.acceptLanguage),
    );
  }
}
