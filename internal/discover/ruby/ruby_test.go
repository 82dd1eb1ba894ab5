package ruby

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

func TestGems(t *testing.T) {
	detecttest.Check(t, Gems{}, []detecttest.Case{
		{Name: "Gemfile", Files: map[string]string{"Gemfile": "source \"https://rubygems.org\"\n\ngem 'rails', '~> 7.1'\ngem \"ruby-openai\", \"7.3.1\"\n# gem 'langchainrb'\ngem 'mcp'\ngem(\"langchainrb\", \"~> 0.19\")\n"},
			Want: []string{
				"framework ruby-openai Gemfile:4 gemfile",
				"framework mcp Gemfile:6 gemfile",
				"framework langchainrb Gemfile:7 gemfile",
			}},
		{Name: "gemspec", Files: map[string]string{"agent.gemspec": "Gem::Specification.new do |spec|\n  spec.name = \"agent\"\n  spec.add_dependency \"anthropic\", \">= 1.0\"\n  spec.add_development_dependency \"rspec\"\nend\n"},
			Want: []string{"framework anthropic agent.gemspec:3 gemspec"}},
		{Name: "not a manifest", Files: map[string]string{"lib/x.rb": "gem 'ruby-openai'\n"}, Want: nil},
	})
}
