import { Message } from 'kafkajs';
import { borderPostPrincipal, TOPICS } from '@customs/contracts';
import { localSigners, signedMessages } from '@customs/messaging';
import { ensureSigningKeys } from '../../libs/stack/src/signing-keys';
import { localPrincipals } from '../../libs/stack/src/kafka-security';

// Before any spec starts a service: the services read their keys and the registry at start.
const LOCAL = localPrincipals().map((p) => p.name);
ensureSigningKeys(LOCAL);

/** The local stack's record-signing keys, read once per run. */
export const signers = localSigners();

/** Messages for a contract topic, signed as `principal` (a test playing that producer). */
export function signedAs(principal: string, topic: string, messages: Message[]): Message[] {
  return signedMessages(topic, messages, signers(principal));
}

const LOCAL_POSTS = LOCAL.filter((p) => p.startsWith('bp-'));

/**
 * Submissions as their border posts send them: each signed by the post its declaration
 * names (a record that names none, or an unknown one, by the first local post).
 */
export function signedSubmissions(messages: Message[]): Message[] {
  return messages.map((m) => {
    let post: unknown;
    try {
      post = (
        JSON.parse(m.value?.toString() ?? 'null') as {
          payload?: { declaration?: { borderPost?: unknown } };
        }
      )?.payload?.declaration?.borderPost;
    } catch {
      post = undefined;
    }
    const own = borderPostPrincipal(String(post));
    const principal = LOCAL_POSTS.includes(own) ? own : LOCAL_POSTS[0];
    return signedAs(principal, TOPICS.submitted, [m])[0];
  });
}
