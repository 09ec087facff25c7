import type { Rule } from '../context';
import { accountRules } from './accounts';
import { applicationRules } from './applications';
import { certificateRules } from './certificates';
import { deviceNameRules } from './deviceName';
import { fileRules } from './files';
import { packageConfigRules } from './packageConfig';
import { secretRules } from './secrets';
import { structureRules } from './structure';
import { tokenExpiryRules } from './tokenExpiry';
import { wifiRules } from './wifi';

/** Every domain rule, in the order of the wizard's pages. */
export const RULES: Rule[] = [
  structureRules,
  packageConfigRules,
  deviceNameRules,
  wifiRules,
  tokenExpiryRules,
  accountRules,
  applicationRules,
  fileRules,
  certificateRules,
  secretRules,
];
