package plan

// AfterListing is opts comparing every resource once the listing has ended (the way before
// settle), for tests that check both ways plan alike.
func AfterListing(opts Options) Options {
	opts.afterListing = true
	return opts
}
