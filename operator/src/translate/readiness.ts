// Whether a Node or a Pod reports the condition Ready=True: a Node's agent is connected, a Pod's containers
// pass their readiness checks.
export interface WithConditions {
  status?: { conditions?: ReadonlyArray<{ type: string; status: string }> };
}

export function isReady(obj: WithConditions | undefined): boolean {
  return obj?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
