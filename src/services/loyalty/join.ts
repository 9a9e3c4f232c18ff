/** When an addition makes its owner join the program (docs/loyalty.md, "Join dates"): the instant to record, or null. */
import type { LoyaltyProgram } from '../../domain/loyalty.js';

/** `points_earned`: when the points are added; `points_activated`: when they start (on-action points: at their activation). */
export function joinCandidate(program: LoyaltyProgram, start: string | null, created: string): string | null {
  if (program.programJoinPolicy === 'points_earned') return created;
  if (program.programJoinPolicy === 'points_activated') return start;
  return null;
}
