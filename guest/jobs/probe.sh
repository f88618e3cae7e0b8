# Boot probe: proves the guest reaches userspace (used to test KVM).
echo "cs-guest: probe ok"
