# Varnish in front of the recording origin (`make chains`). scripts/chains.sh
# replaces @DIR@ (this proxy's temp dir), @FRONT_PORT@ and @ORIGIN_PORT@, and
# runs
#   varnishd -F -n @DIR@/work -a 127.0.0.1:@FRONT_PORT@ -T none \
#            -f @DIR@/varnish.vcl -s malloc,32m
# (foreground, its own working directory, no management port).
#
# Run as root in the container: varnishd's default jail drops the worker to
# the varnish/vcache users the Debian package created.
vcl 4.1;

backend origin {
	.host = "127.0.0.1";
	.port = "@ORIGIN_PORT@";
}

sub vcl_recv {
	# No caching: every request, whatever its method, reaches the origin,
	# so the origin sees exactly what Varnish forwards. Returning here also
	# skips the built-in vcl_recv, which would pipe unknown methods.
	return (pass);
}
