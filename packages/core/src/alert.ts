import type { AlertStatus } from './constants.js';

/** One Evident alert notification, as the hub needs it. Produced by `parseAlert`. */
export interface Alert {
  /** `data.id` */
  id: string;
  /** `data.attributes.status` */
  status: AlertStatus;
  /** `included[type=external_accounts].attributes.account`: 12 digits. */
  accountId: string;
  /** `included[type=external_accounts].attributes.arn` */
  externalAccountArn: string;
  /** The account that `externalAccountArn` names (its 5th field). */
  externalAccountArnAccountId: string;
  /** `included[type=regions].attributes.code` turned into an AWS region: `ap_northeast_1` → `ap-northeast-1`. */
  region: string;
  /** `data.attributes.resource`: an `sg-` id. */
  securityGroupId: string;
  signature: {
    /** `AWS:EC2-002` */
    identifier: string;
    name: string;
  };
  riskLevel: string | null;
  createdAt: string | null;
  startedAt: string | null;
  updatedAt: string | null;
}

/** The idempotency key of an alert notification: a `fail` and a later `pass` are two items. */
export interface AlertKey {
  alertId: string;
  status: string;
}
