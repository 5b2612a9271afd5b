/** What a consumer says about itself: for /readyz and the console's overview. */
export interface ConsumerStatus {
  name: string;
  groupId: string;
  running: boolean;
  joined: boolean;
  /** Group joins so far: more than one while running means rebalances happened. */
  joins: number;
  assigned: number[];
  paused: number[];
  /** Set while a systemic failure keeps the whole consumer paused. */
  systemicFailure: string | undefined;
  /** The latest systemic failure since start, kept after it is over: when, and what. */
  lastSystemicFailure: { message: string; at: string } | undefined;
}
