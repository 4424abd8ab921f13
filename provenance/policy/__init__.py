"""The genAI risk policy (issue 4): policy as data, declarations, tool registry, production
config, and the pure classification of one asset. No database, no click.

    policy = load_policy()                      # shipped default: Netflix partner guidance
    result = classify(ai, role=production.role_for(path), production=production,
                      declaration=declaration_for(path), tools=load_tool_registry(),
                      policy=policy, credentials=CredentialFacts(...), tool_names=names)

`credentials` (how reading the file's credentials went) and `tool_names` (the software its
credentials and metadata name, AssetReport.tool_names) are optional: without them the
credential rules (PV-INVALID, PV-INVALID-FINAL, PV-REMOTE) stay silent.
"""

from provenance.policy.declarations import (
    ASSET_DECLARATION_SUFFIX,
    FOLDER_DECLARATION,
    DeclarationFile,
    check_declaration_file,
    declaration_files,
    declaration_for,
    declaration_from_mapping,
    declaration_to_toml,
    declaration_with_files,
    is_declaration_file,
    is_present_file,
    parse_declaration,
    read_declaration_file,
)
from provenance.policy.evaluate import IMPLEMENTED_RULE_IDS, classify
from provenance.policy.loader import (
    DEFAULT_POLICY_PATH,
    DEFAULT_TOOLS_PATH,
    load_policy,
    load_production_config,
    load_tool_registry,
    policy_from_mapping,
    tool_registry_from_mapping,
)
from provenance.policy.model import (
    Answer,
    Classification,
    CredentialFacts,
    CredentialReading,
    Declaration,
    FiredRule,
    FolderRole,
    Outcome,
    Policy,
    PolicyError,
    ProductionConfig,
    ProductionKind,
    Prominence,
    Rule,
    RuleKind,
    Switches,
    Tool,
    ToolRegistry,
    UseCase,
)

__all__ = [
    "ASSET_DECLARATION_SUFFIX",
    "DEFAULT_POLICY_PATH",
    "DEFAULT_TOOLS_PATH",
    "FOLDER_DECLARATION",
    "IMPLEMENTED_RULE_IDS",
    "Answer",
    "Classification",
    "CredentialFacts",
    "CredentialReading",
    "Declaration",
    "FiredRule",
    "FolderRole",
    "Outcome",
    "Policy",
    "PolicyError",
    "ProductionConfig",
    "ProductionKind",
    "Prominence",
    "Rule",
    "RuleKind",
    "Switches",
    "Tool",
    "ToolRegistry",
    "UseCase",
    "classify",
    "DeclarationFile",
    "check_declaration_file",
    "declaration_files",
    "declaration_for",
    "declaration_with_files",
    "declaration_from_mapping",
    "declaration_to_toml",
    "is_declaration_file",
    "is_present_file",
    "load_policy",
    "load_production_config",
    "load_tool_registry",
    "parse_declaration",
    "read_declaration_file",
    "policy_from_mapping",
    "tool_registry_from_mapping",
]
