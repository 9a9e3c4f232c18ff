/** getLoyaltyProgram and getLoyaltyPrograms: the account's programs with whether they have transactions (for the `canUpdate*` flags). */
import { ACCOUNT_ID } from '../../domain/application.js';
import type { LoyaltyProgram } from '../../domain/loyalty.js';
import { listPrograms, programHasTransactions } from '../../store/repos/loyaltyPrograms.js';
import type { ServiceContext } from '../context.js';
import { loadProgram } from './common.js';

export interface ProgramView { program: LoyaltyProgram; hasTransactions: boolean }

export function getLoyaltyProgram(ctx: ServiceContext, programId: number): Promise<ProgramView> {
  return ctx.db.transaction(async (sql) => {
    const program = await loadProgram(sql, programId);
    return { program, hasTransactions: await programHasTransactions(sql, programId) };
  });
}

export function getLoyaltyPrograms(ctx: ServiceContext): Promise<ProgramView[]> {
  return ctx.db.transaction(async (sql) => {
    const out: ProgramView[] = [];
    for (const program of await listPrograms(sql, ACCOUNT_ID)) out.push({ program, hasTransactions: await programHasTransactions(sql, program.id) });
    return out;
  });
}
