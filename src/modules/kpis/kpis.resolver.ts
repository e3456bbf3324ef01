import Decimal from 'decimal.js';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root, Subscription, UseMiddleware } from 'type-graphql';
import { ADMINS, WRITERS } from '../../common/access';
import { ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { YieldBeforeArgs } from '../../common/event-loop';
import type { PlanningEventPayload } from '../../common/events';
import { required } from '../../common/loaders';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { User, referencedUserById } from '../identity';
import { metaMatches, planningSubscription } from '../realtime';
import { Kpi, KpiAlert, KpiMeasurement } from './kpi.entity';
import { acknowledgeKpiAlert, listKpiAlerts } from './kpi-alerts.service';
import { deleteMeasurements, recordMeasurements } from './kpi-measurements.service';
import { KPIS_EVENTS } from './kpis.events';
import { KpiAlertLevel } from './kpi-rules';
import { kpiValueAt, preloadedLatest } from './kpi-state';
import {
  AcknowledgeKpiAlertInput,
  ArchiveKpiInput,
  CreateKpiInput,
  DeleteMeasurementsInput,
  KpiAlertRaisedFilter,
  KpiAlertsFilter,
  KpiAlertsRaisedInBulkFilter,
  KpisFilter,
  KpiWhatIfInput,
  MoveKpiInput,
  RecordMeasurementsInput,
  UpdateKpiInput,
} from './kpis.inputs';
import { alertsOfKpi, childrenOfKpi, kpiAlertById, kpiById, latestMeasurementOfKpi, MAX_CHILDREN, measurementById, measurementsOfKpi } from './kpis.loaders';
import * as definitions from './kpi-definitions.service';
import * as reads from './kpi-reads.service';
import { leanTreeSelection } from './kpi-tree-read';
import {
  AcknowledgeKpiAlertPayload,
  ArchiveKpiPayload,
  CreateKpiPayload,
  DeleteMeasurementsPayload,
  KpiAlertConnection,
  KpiAlertsRaisedInBulk,
  KpiConnection,
  KpiProjection,
  KpiTreeNode,
  MeasurementConnection,
  MoveKpiPayload,
  RecordMeasurementsPayload,
  UpdateKpiPayload,
} from './kpis.types';

@Resolver(() => Kpi)
export class KpiResolver {
  @Authorized()
  @Query(() => Kpi, { nullable: true, description: 'The KPI with this key (archived ones too); null when there is none.' })
  kpi(@Arg('key') key: string, @Ctx() ctx: Context) {
    return reads.kpiByKey(ctx, key);
  }

  @Authorized()
  @Query(() => KpiConnection, { description: 'KPIs, oldest first, filtered by layer, owner and status.' })
  kpis(@Arg('filter', () => KpisFilter, { nullable: true }) filter: KpisFilter | null, @Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return reads.listKpis(ctx, filter ?? {}, page);
  }

  @Authorized()
  @Query(() => [KpiTreeNode], {
    nullable: true,
    description:
      'The active KPIs under rootKey (the north star when omitted), the root first, then depth first with siblings oldest first, at most 30 levels. null (no error) without rootKey in an organisation with no north star; NOT_FOUND naming rootKey for an unknown key, ARCHIVED for an archived one (only this field is null). A fixed number of SQL statements whatever the size of the tree.',
  })
  kpiTree(@Arg('rootKey', () => String, { nullable: true }) rootKey: string | null, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return reads.kpiTree(ctx, rootKey, leanTreeSelection(info));
  }

  @Authorized()
  @Query(() => [KpiProjection], {
    description:
      'What the changes (percent per KPI) would do to every KPI of the tree for the period: baseline and projected values, propagated up the formulas. Changes nothing.',
  })
  kpiWhatIf(@Arg('input') input: KpiWhatIfInput, @Ctx() ctx: Context) {
    return reads.kpiWhatIf(ctx, input);
  }

  @Authorized(...ADMINS)
  @Mutation(() => CreateKpiPayload, { description: 'OWNER/ADMIN. The key is unique in the organisation and never changes.' })
  createKpi(@Arg('input') input: CreateKpiInput, @Ctx() ctx: Context) {
    return definitions.createKpi(ctx, input);
  }

  @Authorized(...ADMINS)
  @Mutation(() => UpdateKpiPayload, { description: 'OWNER/ADMIN. A formula may use only the keys of the KPI’s own children. Stale expectedVersion: CONFLICT.' })
  updateKpi(@Arg('input') input: UpdateKpiInput, @Ctx() ctx: Context) {
    return definitions.updateKpi(ctx, input);
  }

  @Authorized(...ADMINS)
  @Mutation(() => MoveKpiPayload, {
    description: 'OWNER/ADMIN. Moves the KPI and its subtree; refused (BAD_USER_INPUT) for a cycle, or while the old parent’s formula uses it.',
  })
  moveKpi(@Arg('input') input: MoveKpiInput, @Ctx() ctx: Context) {
    return definitions.moveKpi(ctx, input);
  }

  @Authorized(...ADMINS)
  @Mutation(() => ArchiveKpiPayload, {
    description: 'OWNER/ADMIN. Refused while it has active children or its parent’s formula uses it. It keeps its history and takes no more measurements.',
  })
  archiveKpi(@Arg('input') input: ArchiveKpiInput, @Ctx() ctx: Context) {
    return definitions.archiveKpi(ctx, input);
  }

  // A MEMBER only for the KPIs they own (kpi-measurements.service.ts).
  @Authorized(...WRITERS)
  @Mutation(() => RecordMeasurementsPayload, {
    description:
      'OWNER, ADMIN, FINANCE, SQUAD_LEAD (any KPI) or a MEMBER (KPIs they own); API tokens with WRITE scope. Up to 10,000 rows, upserted by KPI and period, all or nothing: any bad row refuses the call with BAD_USER_INPUT and extensions.rows [{ index, kpiKey, message }].',
  })
  @UseMiddleware(YieldBeforeArgs)
  recordMeasurements(@Arg('input') input: RecordMeasurementsInput, @Ctx() ctx: Context) {
    return recordMeasurements(ctx, input);
  }

  // A MEMBER only for the KPIs they own (kpi-measurements.service.ts), as recording.
  @Authorized(...WRITERS)
  @Mutation(() => DeleteMeasurementsPayload, {
    description:
      'OWNER, ADMIN, FINANCE, SQUAD_LEAD (any KPI) or a MEMBER (KPIs they own); API tokens with WRITE scope. Deletes a measured KPI’s measurements of 1 to 1,000 periods in one transaction (periods without one are skipped: the same call twice deletes nothing more), recomputes its latest value (key results following it check in) and resolves the deleted periods’ alerts.',
  })
  deleteMeasurements(@Arg('input') input: DeleteMeasurementsInput, @Ctx() ctx: Context) {
    return deleteMeasurements(ctx, input);
  }

  @FieldResolver(() => User, { nullable: true })
  owner(@Root() kpi: Kpi, @Ctx() ctx: Context) {
    return kpi.ownerId ? referencedUserById(ctx).load(kpi.ownerId) : null;
  }

  @FieldResolver(() => Kpi, { nullable: true })
  parent(@Root() kpi: Kpi, @Ctx() ctx: Context) {
    return kpi.parentId ? kpiById(ctx).load(kpi.parentId) : null;
  }

  @FieldResolver(() => [Kpi], { description: `Active children, oldest first, at most ${MAX_CHILDREN}.` })
  async children(@Root() kpi: Kpi, @Ctx() ctx: Context) {
    return (await childrenOfKpi(ctx).load(kpi.id)) ?? [];
  }

  @FieldResolver(() => MeasurementConnection, { description: 'Measurements, newest period first, with a period start from `from` to `to` (inclusive).' })
  measurements(
    @Root() kpi: Kpi,
    @Arg('from', () => DateScalar, { nullable: true }) from: string | null,
    @Arg('to', () => DateScalar, { nullable: true }) to: string | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return measurementsOfKpi(ctx, kpi.id, page, { from, to });
  }

  @FieldResolver(() => KpiMeasurement, {
    nullable: true,
    description: "The most recent measurement; for a formula KPI, its value at the latest period of its inputs (source 'formula'), null when it cannot be computed.",
  })
  latest(@Root() kpi: Kpi, @Ctx() ctx: Context): KpiMeasurement | null | Promise<KpiMeasurement | null> {
    // Synchronous when the tree read it already (either kind of KPI): no promise per KPI of a large tree.
    const preloaded = preloadedLatest.get(kpi);
    if (preloaded !== undefined) return preloaded;
    if (kpi.formula == null) return latestMeasurementOfKpi(ctx).load(kpi.id);
    if (kpi.latestPeriod == null || kpi.latestValue == null) return null;
    return Object.assign(new KpiMeasurement(), {
      kpiId: kpi.id,
      periodStart: kpi.latestPeriod,
      value: kpi.latestValue,
      source: 'formula',
      recordedAt: kpi.updatedAt,
    });
  }

  @FieldResolver(() => DecimalScalar, {
    nullable: true,
    description: 'The value for the period starting on periodStart: the measurement, or the formula over the children’s values; null without one (see valueReason).',
  })
  async valueAt(@Root() kpi: Kpi, @Arg('periodStart', () => DateScalar) periodStart: string, @Ctx() ctx: Context): Promise<Decimal | null> {
    return (await kpiValueAt(ctx).load(`${kpi.id}|${periodStart}`))?.value ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Why valueAt is null for that period (no measurement, an input without a value, a division by zero, a number or value out of the Decimal range); null when it has a value.',
  })
  async valueReason(@Root() kpi: Kpi, @Arg('periodStart', () => DateScalar) periodStart: string, @Ctx() ctx: Context): Promise<string | null> {
    return (await kpiValueAt(ctx).load(`${kpi.id}|${periodStart}`))?.reason ?? null;
  }

  @FieldResolver(() => KpiAlertConnection, { description: 'Its alerts, newest first.' })
  alerts(@Root() kpi: Kpi, @Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return alertsOfKpi(ctx, kpi.id, page);
  }
}

@Resolver(() => KpiAlert)
export class KpiAlertResolver {
  @Authorized()
  @Query(() => KpiAlertConnection, { description: 'Alerts, newest first, filtered by status, level and KPI.' })
  kpiAlerts(@Arg('filter', () => KpiAlertsFilter, { nullable: true }) filter: KpiAlertsFilter | null, @Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return listKpiAlerts(ctx, filter ?? {}, page);
  }

  @Authorized()
  @Mutation(() => AcknowledgeKpiAlertPayload, {
    description: "OWNER/ADMIN or the KPI's owner. An acknowledged alert leaves myWork; acknowledging twice is INVALID_TRANSITION.",
  })
  acknowledgeKpiAlert(@Arg('input') input: AcknowledgeKpiAlertInput, @Ctx() ctx: Context) {
    return acknowledgeKpiAlert(ctx, input);
  }

  @Authorized()
  @Subscription(() => KpiAlert, {
    description:
      'Alerts as they are raised by recorded measurements; filter by KPI or level. A call raising more than KPI_ALERT_EVENTS_MAX (100 by default) announces its alerts once, on kpiAlertsRaisedInBulk, instead.',
    ...planningSubscription<{ filter?: KpiAlertRaisedFilter }>([KPIS_EVENTS.KPI_ALERT_RAISED], (payload, args) =>
      metaMatches(payload, { kpiId: args.filter?.kpiId, level: args.filter?.level }),
    ),
  })
  async kpiAlertRaised(
    @Root() payload: PlanningEventPayload,
    @Arg('filter', () => KpiAlertRaisedFilter, { nullable: true }) _filter: KpiAlertRaisedFilter | null,
    @Ctx() ctx: Context,
  ): Promise<KpiAlert> {
    return required(kpiAlertById(ctx).load(payload.entityId), 'KpiAlert');
  }

  @Authorized()
  @Subscription(() => KpiAlertsRaisedInBulk, {
    description:
      'A recordMeasurements call that raised more alerts than KPI_ALERT_EVENTS_MAX (100 by default): announced once, in place of its kpiAlertRaised events. Filter by level.',
    ...planningSubscription<{ filter?: KpiAlertsRaisedInBulkFilter }>([KPIS_EVENTS.KPI_ALERTS_RAISED_IN_BULK], (payload, args) => {
      const level = args.filter?.level;
      return !level || Number(payload.meta?.[level === KpiAlertLevel.CRITICAL ? 'critical' : 'warning'] ?? 0) > 0;
    }),
  })
  kpiAlertsRaisedInBulk(
    @Root() payload: PlanningEventPayload,
    @Arg('filter', () => KpiAlertsRaisedInBulkFilter, { nullable: true }) _filter: KpiAlertsRaisedInBulkFilter | null,
  ): KpiAlertsRaisedInBulk {
    const count = (key: string) => Number(payload.meta?.[key] ?? 0);
    return { count: count('count'), critical: count('critical'), warning: count('warning'), kpis: count('kpis'), at: new Date(payload.at), actorId: payload.actorId };
  }

  @FieldResolver(() => Kpi)
  kpi(@Root() alert: KpiAlert, @Ctx() ctx: Context) {
    return required(kpiById(ctx).load(alert.kpiId), 'Kpi');
  }

  @FieldResolver(() => KpiMeasurement, { nullable: true, description: 'The measurement that raised it (null for a formula KPI, computed from its inputs).' })
  measurement(@Root() alert: KpiAlert, @Ctx() ctx: Context) {
    return alert.measurementId ? measurementById(ctx).load(alert.measurementId) : null;
  }

  @FieldResolver(() => User, { nullable: true })
  acknowledgedBy(@Root() alert: KpiAlert, @Ctx() ctx: Context) {
    return alert.acknowledgedBy ? referencedUserById(ctx).load(alert.acknowledgedBy) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'The user whose correction or deletion resolved it; null when not resolved, or resolved by the system.' })
  resolvedBy(@Root() alert: KpiAlert, @Ctx() ctx: Context) {
    return alert.resolvedBy ? referencedUserById(ctx).load(alert.resolvedBy) : null;
  }
}

@Resolver(() => KpiAlertsRaisedInBulk)
export class KpiAlertsRaisedInBulkResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who recorded the measurements (null for a system import).' })
  actor(@Root() bulk: KpiAlertsRaisedInBulk, @Ctx() ctx: Context) {
    return bulk.actorId ? referencedUserById(ctx).load(bulk.actorId) : null;
  }
}
