/* rv_fault.h: fault points for the integration tests.
 *
 * Inert unless Apache is started with the environment variable
 * REVERB_TEST_FAULT="point=action:path[,point=action:path...]" - which only
 * the test harness does. A point is a place in the code where a real crash
 * or a lost connection would do the most harm (e.g. between two writes):
 *   exit:PATH   the process dies there with SIGKILL, once (PATH is created
 *               first, and the fault is spent while PATH exists);
 *   pause:PATH  creates PATH.reached, then waits until PATH.go exists (at
 *               most 120 s), so a test can act at exactly that moment.
 * This makes crash tests deterministic. Nothing here runs otherwise: one
 * getenv() per call, and the variable is never set in production. */
#ifndef RV_FAULT_H
#define RV_FAULT_H

void rv_fault_point(const char *point);

#endif
