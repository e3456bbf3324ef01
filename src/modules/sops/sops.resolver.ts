import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { ADMINS, MANAGERS, WRITERS } from '../../common/access';
import { ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import type { PlanningEventPayload } from '../../common/events';
import { required } from '../../common/loaders';
import { User, referencedUserById } from '../identity';
import { planningSubscription } from '../realtime';
import { Task } from '../tasks';
import { isReviewOverdue, MAX_SOP_STEPS } from './sop-rules';
import { RaciMatrix, Sop, SopAcknowledgement, SopStep, SopVersion } from './sops.entity';
import {
  AcknowledgeSopInput,
  ApproveSopVersionInput,
  ArchiveSopInput,
  CreateSopInput,
  LinkTaskToSopStepInput,
  RejectSopVersionInput,
  SopsFilter,
  StartSopRevisionInput,
  SubmitSopForReviewInput,
  UpdateSopDraftInput,
} from './sops.inputs';
import {
  acknowledgementsOfSop,
  MAX_PENDING_LISTED,
  pendingAcknowledgersBySopId,
  raciMatrixById,
  sopById,
  sopStepByTaskId,
  sopVersionById,
  stepsByVersionId,
  versionsOfSop,
} from './sops.loaders';
import * as links from './sop-task-links.service';
import * as versions from './sop-versions.service';
import * as sops from './sops.service';
import {
  AcknowledgeSopPayload,
  ApproveSopVersionPayload,
  ArchiveSopPayload,
  CreateSopPayload,
  LinkTaskToSopStepPayload,
  RejectSopVersionPayload,
  SopAcknowledgementConnection,
  SopConnection,
  SopVersionConnection,
  StartSopRevisionPayload,
  SubmitSopForReviewPayload,
  UpdateSopDraftPayload,
} from './sops.types';
import { SOPS_EVENTS } from './sops.events';

@Resolver(() => Sop)
export class SopResolver {
  @Authorized(...WRITERS)
  @Mutation(() => CreateSopPayload, {
    description: 'Creates a DRAFT SOP with version 1 in draft. Any member may create one they own; only OWNER/ADMIN may name another owner.',
  })
  createSop(@Arg('input') input: CreateSopInput, @Ctx() ctx: Context) {
    return sops.createSop(ctx, input);
  }

  @Authorized(...WRITERS)
  @Mutation(() => UpdateSopDraftPayload, {
    description:
      "OWNER/ADMIN or the SOP's owner, while it is DRAFT. steps replace the draft's steps. Stale expectedVersion: CONFLICT. Whoever changes something becomes the draft's author and one of its editors (who may not approve it); a save that changes nothing changes nothing (same version, no audit).",
  })
  updateSopDraft(@Arg('input') input: UpdateSopDraftInput, @Ctx() ctx: Context) {
    return versions.updateSopDraft(ctx, input);
  }

  @Authorized(...WRITERS)
  @Mutation(() => SubmitSopForReviewPayload, { description: "OWNER/ADMIN or the SOP's owner: DRAFT → IN_REVIEW (SOP_DRAFT_EMPTY without steps)." })
  submitSopForReview(@Arg('input') input: SubmitSopForReviewInput, @Ctx() ctx: Context) {
    return versions.submitSopForReview(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => ApproveSopVersionPayload, {
    description: 'SQUAD_LEAD, ADMIN or OWNER, neither the version’s author nor one of its editors (AUTHOR_CANNOT_APPROVE): publishes the version in review as the current version; everyone must acknowledge it again.',
  })
  approveSopVersion(@Arg('input') input: ApproveSopVersionInput, @Ctx() ctx: Context) {
    return versions.approveSopVersion(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => RejectSopVersionPayload, { description: 'SQUAD_LEAD, ADMIN or OWNER: returns the version in review to DRAFT, with a note.' })
  rejectSopVersion(@Arg('input') input: RejectSopVersionInput, @Ctx() ctx: Context) {
    return versions.rejectSopVersion(ctx, input);
  }

  @Authorized(...WRITERS)
  @Mutation(() => StartSopRevisionPayload, {
    description: "OWNER/ADMIN or the SOP's owner: opens a new draft, a copy of the published version (which stays current until the new one is approved).",
  })
  startSopRevision(@Arg('input') input: StartSopRevisionInput, @Ctx() ctx: Context) {
    return versions.startSopRevision(ctx, input);
  }

  @Authorized(...ADMINS)
  @Mutation(() => ArchiveSopPayload, { description: 'OWNER/ADMIN. An archived SOP changes no more and asks nobody to acknowledge it; its versions stay readable.' })
  archiveSop(@Arg('input') input: ArchiveSopInput, @Ctx() ctx: Context) {
    return sops.archiveSop(ctx, input);
  }

  @Authorized(...WRITERS)
  @Mutation(() => AcknowledgeSopPayload, { description: 'Records that the caller has read the current version (acknowledging it again changes nothing).' })
  acknowledgeSop(@Arg('input') input: AcknowledgeSopInput, @Ctx() ctx: Context) {
    return sops.acknowledgeSop(ctx, input);
  }

  @Authorized()
  @Query(() => SopConnection, { description: 'SOPs, oldest first; archived ones only with filter.archived.' })
  sops(@Arg('filter', () => SopsFilter, { nullable: true }) filter: SopsFilter | null, @Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return sops.listSops(ctx, filter ?? {}, page);
  }

  @Authorized()
  @Subscription(() => Sop, {
    description: 'A version of an SOP was approved and published (it is the SOP’s currentVersion).',
    ...planningSubscription([SOPS_EVENTS.SOP_PUBLISHED]),
  })
  async sopPublished(@Root() payload: PlanningEventPayload, @Ctx() ctx: Context): Promise<Sop> {
    return required(sopById(ctx).load(payload.entityId), 'Sop');
  }

  @FieldResolver(() => User)
  owner(@Root() s: Sop, @Ctx() ctx: Context) {
    return required(referencedUserById(ctx).load(s.ownerId), 'User');
  }

  @FieldResolver(() => SopVersion, { nullable: true, description: 'The published version in force; null before the first approval.' })
  currentVersion(@Root() s: Sop, @Ctx() ctx: Context) {
    return s.currentVersionId ? sopVersionById(ctx).load(s.currentVersionId) : null;
  }

  @FieldResolver(() => SopVersion, { nullable: true, description: 'The version being written or reviewed; null when none is open.' })
  draft(@Root() s: Sop, @Ctx() ctx: Context) {
    return s.draftVersionId ? sopVersionById(ctx).load(s.draftVersionId) : null;
  }

  @FieldResolver(() => SopVersionConnection, { description: 'Every version, newest first (published ones never change).' })
  versions(@Root() s: Sop, @Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return versionsOfSop(ctx, s.id, page);
  }

  @FieldResolver(() => RaciMatrix, { nullable: true, description: 'The RACI matrix whose people must acknowledge the SOP.' })
  raciMatrix(@Root() s: Sop, @Ctx() ctx: Context) {
    return s.raciMatrixId ? raciMatrixById(ctx).load(s.raciMatrixId) : null;
  }

  @FieldResolver(() => Boolean, { description: 'Whether reviewDueOn has passed (UTC); never for an archived SOP.' })
  isReviewOverdue(@Root() s: Sop) {
    return isReviewOverdue(s.status, s.reviewDueOn, isoToday());
  }

  @FieldResolver(() => SopAcknowledgementConnection, { description: 'Who acknowledged a version (the current one when version is omitted), oldest first.' })
  acknowledgements(
    @Root() s: Sop,
    @Arg('version', () => Int, { nullable: true, description: 'A version number; the current version when omitted.' }) version: number | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return acknowledgementsOfSop(ctx, s.id, page, { version: version ?? null });
  }

  @FieldResolver(() => [User], {
    description: `Who must still acknowledge the current version: everyone holding a role in its RACI matrix, or with none the members of the owner's squads (VIEWERs left out); at most ${MAX_PENDING_LISTED}.`,
  })
  async pendingAcknowledgements(@Root() s: Sop, @Ctx() ctx: Context) {
    const ids = (await pendingAcknowledgersBySopId(ctx).load(s.id)) ?? [];
    const users = await referencedUserById(ctx).loadMany(ids);
    return users.filter((u): u is User => Boolean(u) && !(u instanceof Error));
  }
}

@Resolver(() => SopVersion)
export class SopVersionResolver {
  @FieldResolver(() => Sop)
  sop(@Root() v: SopVersion, @Ctx() ctx: Context) {
    return required(sopById(ctx).load(v.sopId), 'Sop');
  }

  @FieldResolver(() => [SopStep], { description: `The steps in order (操作步骤); at most ${MAX_SOP_STEPS}.` })
  async steps(@Root() v: SopVersion, @Ctx() ctx: Context) {
    return (await stepsByVersionId(ctx).load(v.id)) ?? [];
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who last changed the version (who opened it, until someone changes it); cannot approve it.' })
  author(@Root() v: SopVersion, @Ctx() ctx: Context) {
    return v.authorId ? referencedUserById(ctx).load(v.authorId) : null;
  }

  @FieldResolver(() => [User], {
    description: 'Everyone who changed the version while it was a draft, in the order they first did: none of them may approve it (four eyes). A save that changes nothing adds no one.',
  })
  async editors(@Root() v: SopVersion, @Ctx() ctx: Context) {
    const users = await referencedUserById(ctx).loadMany(v.editorIds);
    return users.filter((u): u is User => !!u && !(u instanceof Error));
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who approved and published it; null until then.' })
  approvedBy(@Root() v: SopVersion, @Ctx() ctx: Context) {
    return v.approvedById ? referencedUserById(ctx).load(v.approvedById) : null;
  }
}

@Resolver(() => SopStep)
export class SopStepResolver {
  @FieldResolver(() => SopVersion, { description: 'The version the step belongs to.' })
  version(@Root() s: SopStep, @Ctx() ctx: Context) {
    return required(sopVersionById(ctx).load(s.versionId), 'SopVersion');
  }
}

@Resolver(() => SopAcknowledgement)
export class SopAcknowledgementResolver {
  @FieldResolver(() => User)
  user(@Root() k: SopAcknowledgement, @Ctx() ctx: Context) {
    return required(referencedUserById(ctx).load(k.userId), 'User');
  }
}

/** Task.sopStep and the link mutation live here: tasks know nothing of SOPs. */
@Resolver(() => Task)
export class TaskSopStepResolver {
  @Authorized(...WRITERS)
  @Mutation(() => LinkTaskToSopStepPayload, {
    description: "OWNER/ADMIN, the lead of the task's squad, or its assignee: links the task to the step of a published SOP version it carries out; sopStepId null unlinks.",
  })
  linkTaskToSopStep(@Arg('input') input: LinkTaskToSopStepInput, @Ctx() ctx: Context) {
    return links.linkTaskToSopStep(ctx, input);
  }

  @FieldResolver(() => SopStep, { nullable: true, description: 'The SOP step the task carries out, if linked.' })
  sopStep(@Root() t: Task, @Ctx() ctx: Context) {
    return sopStepByTaskId(ctx).load(t.id);
  }
}
