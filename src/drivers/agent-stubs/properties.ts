/**
 * driver_info properties of the agent/PXE based interfaces, texts exactly as Ironic 21.4
 * reports them (pxe_base.COMMON_PROPERTIES, agent.COMMON_PROPERTIES). Order matters only
 * for display; it follows Ironic's dict order.
 */

/** PXEBaseMixin.get_properties(): the `pxe` and `ipxe` boot interfaces. */
export const PXE_BOOT_PROPERTIES: Readonly<Record<string, string>> = {
  deploy_kernel: 'UUID (from Glance) of the deployment kernel. Required.',
  deploy_ramdisk: 'UUID (from Glance) of the ramdisk that is mounted at boot time. Required.',
  force_persistent_boot_device: "Controls the persistency of boot order changes. 'Always' will make all changes persistent, 'Default' will make all but the final one upon instance deployment non-persistent, and 'Never' will make no persistent changes at all. The old values 'True' and 'False' are still supported but deprecated in favor of the new ones.Defaults to 'Default'. Optional.",
  rescue_kernel: 'UUID (from Glance) of the rescue kernel. This value is required for rescue mode.',
  rescue_ramdisk: 'UUID (from Glance) of the rescue ramdisk with agent that is used at node rescue time. This value is required for rescue mode.',
  kernel_append_params: 'Additional kernel parameters to pass down to instance kernel. These parameters can be consumed by the kernel or by the applications by reading /proc/cmdline. Mind severe cmdline size limit. When used with virtual media, only applies to ISO images that Ironic builds, but not to pre-built ISOs provided via e.g. deploy_iso. Overrides the [pxe]/kernel_append_params configuration option, use %default% to insert its value.',
};

/** AgentDeploy.get_properties(): the `direct` deploy interface. */
export const DIRECT_DEPLOY_PROPERTIES: Readonly<Record<string, string>> = {
  deploy_kernel: 'UUID (from Glance) of the deployment kernel. Required.',
  deploy_ramdisk: 'UUID (from Glance) of the ramdisk with agent that is used at deploy time. Required.',
  image_http_proxy: 'URL of a proxy server for HTTP connections. Optional.',
  image_https_proxy: 'URL of a proxy server for HTTPS connections. Optional.',
  image_no_proxy: 'A comma-separated list of host names, IP addresses and domain names (with optional :port) that will be excluded from proxying. To denote a domain name, use a dot to prefix the domain name. This value will be ignored if ``image_http_proxy`` and ``image_https_proxy`` are not specified. Optional.',
  image_download_source: 'Specifies whether direct deploy interface should try to use the image source directly or if ironic should cache the image on the conductor and serve it from ironic\'s own HTTP server. Accepted values are "swift", "http" and "local". Optional.',
  deploy_forces_oob_reboot: 'Whether Ironic should force a reboot of the Node via the out-of-band channel after deployment is complete. Provides compatibility with older deploy ramdisks. Defaults to False. Optional.',
  agent_verify_ca: "Either a Boolean value, a path to a CA_BUNDLE file or directory with certificates of trusted CAs. If set to True ironic will verify the agent's certificate; if False the driver will ignore verifying the SSL certificate. If it's a path the driver will use the specified certificate or one of the certificates in the directory. Defaults to True. Optional",
};
