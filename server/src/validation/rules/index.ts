import type { Rule } from '../context';
import { accountRules } from './accounts';
import { activeDirectoryRules } from './activeDirectory';
import { applicationRules, uniqueNameRules } from './applications';
import { certificateRules } from './certificates';
import { commandSecretRules } from './commandSecrets';
import { cspRules } from './csp';
import { deviceNameRules } from './deviceName';
import { fileRules } from './files';
import { packageConfigRules } from './packageConfig';
import { secretRules } from './secrets';
import { settingsRules } from './settings';
import { structureRules } from './structure';
import { tokenExpiryRules } from './tokenExpiry';
import { wifiRules } from './wifi';

/** Every domain rule, in the order of the wizard's pages, then the settings the compiler checks. */
export const RULES: Rule[] = [
  structureRules,
  packageConfigRules,
  deviceNameRules,
  wifiRules,
  tokenExpiryRules,
  accountRules,
  activeDirectoryRules,
  applicationRules,
  uniqueNameRules,
  fileRules,
  certificateRules,
  secretRules,
  commandSecretRules,
  cspRules,
  settingsRules,
];
