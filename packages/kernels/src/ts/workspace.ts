import { Scratch } from './scratch.js';

/** Scratch of one TS backend instance, by role; each role is indexed by layer where that applies. */
export class Workspace {
  /** a_l for l ≥ 1: the (post-dropout) input of layer l, chunk × n_l. */
  readonly acts = new Scratch();
  /** h_l before dropout (only written when dropout is on), chunk × n_l. */
  readonly pres = new Scratch();
  /** Dropout scale (0 or 1/(1−rate)) of hidden layer l, chunk × n_l. */
  readonly scales = new Scratch();
  /** Logits, deltas, transposes: see the slot constants. */
  readonly misc = new Scratch();
}

/** Slots of {@link Workspace.misc}. */
export const SLOT_LOGITS = 0;
export const SLOT_DELTA_A = 1;
export const SLOT_DELTA_B = 2;
export const SLOT_T_A = 3;
export const SLOT_T_B = 4;
export const SLOT_WT = 5;
export const SLOT_SQ = 6;
