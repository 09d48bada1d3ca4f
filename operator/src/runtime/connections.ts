// One connection pool per API server and credentials, for every request and watch of the process.
//
// client-node 2.x builds a new undici Agent for every request it authenticates (KubeConfig.createDispatcher),
// so each request and each watch opens a TLS connection of its own: a handshake on both sides every time,
// sockets that stay open until the agent is collected, and HTTP/2 never multiplexing anything. client-go keeps
// one transport per rest config instead. `shareConnections` makes a KubeConfig do the same: the agent for a set
// of TLS options is built once and handed out again, so requests share one HTTP/2 connection (or a pool).
import type { AgentOptions } from 'node:https';
import type { Cluster, KubeConfig } from '@kubernetes/client-node';

/** An undici Dispatcher, or undefined for a plain connection; client-node types neither (the method is private). */
type Dispatcher = unknown;
type CreateDispatcher = (cluster: Cluster | null, agentOptions: AgentOptions) => Dispatcher;

const SHARED = Symbol('ecs-operator.sharedConnections');

/** The agents this KubeConfig has handed out, by what they connect with; undefined before sharing. */
export function sharedAgents(kc: KubeConfig): ReadonlyMap<string, Dispatcher> | undefined {
  return (kc as unknown as { [SHARED]?: Map<string, Dispatcher> })[SHARED];
}

/** Makes `kc` reuse one agent per cluster and TLS options (CA, client certificate and key, server name). Idempotent. */
export function shareConnections(kc: KubeConfig): KubeConfig {
  const holder = kc as unknown as { [SHARED]?: Map<string, Dispatcher>; createDispatcher?: CreateDispatcher };
  if (holder[SHARED]) return kc;
  if (typeof holder.createDispatcher !== 'function') throw new Error("client-node's KubeConfig no longer has createDispatcher; see shareConnections");
  const agents = new Map<string, Dispatcher>();
  holder[SHARED] = agents;
  const create = holder.createDispatcher.bind(kc);
  holder.createDispatcher = (cluster, agentOptions) => {
    // The options decide everything the agent does (createDispatcherOptions is what createDispatcher builds from).
    // The JSON text itself is the key: hashing it as well cost more than the map lookup it saves (measured).
    const key = JSON.stringify([cluster?.server, cluster?.proxyUrl, kc.createDispatcherOptions(cluster, agentOptions)]);
    if (agents.has(key)) return agents.get(key);
    const agent = create(cluster, agentOptions);
    agents.set(key, agent);
    return agent;
  };
  return kc;
}
