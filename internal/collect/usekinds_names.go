package collect

// ProofOfUseService says, for a proof-of-use kind of the table
// (usekinds.go), which service and resources it reads ("AWS Lambda:
// functions, every published version included"); "" for any other kind.
// sgaudit explain --group names what was and was not checked with it.
func ProofOfUseService(kind string) string {
	for _, k := range useKinds() {
		if k.Kind == kind {
			return k.Service + ": " + k.Resources
		}
	}
	return ""
}
