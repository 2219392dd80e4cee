/**
 * The lab's IPMI BMCs: one pyghmi BMC process per lab machine (bmc.py), driving the same
 * `LabMachine` as the Redfish BMC through a local control API.
 *
 * @module
 */
export { startIpmiLab, BMC_SCRIPT, DEBIAN_PYTHON, DEFAULT_IPMI_BASE_PORT, type IpmiLab, type IpmiLabOptions, type IpmiBmc } from './lab.ts';
export { startIpmiControl, type IpmiControl, type IpmiControlState } from './control.ts';
