package armclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// StaticToken is a credential that always gives the same token: for gru's local emulator,
// which takes any bearer token (or the one it was started with).
type StaticToken string

// GetToken returns the token, valid for an hour.
func (t StaticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// AzureCredential is Microsoft's default credential chain: a service principal or certificate
// from the environment, workload identity, managed identity, then the Azure CLI's login.
func AzureCredential() (azcore.TokenCredential, error) {
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, fmt.Errorf("no Azure credential: %w (sign in with `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET)", err)
	}
	return cred, nil
}

// ResolveSubscription settles the subscription: the flag's value, else AZURE_SUBSCRIPTION_ID,
// else the Azure CLI's default subscription.
func ResolveSubscription(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if s := os.Getenv("AZURE_SUBSCRIPTION_ID"); s != "" {
		return s, nil
	}
	s, err := cliDefaultSubscription()
	if err != nil {
		return "", fmt.Errorf("no subscription: pass --subscription, set AZURE_SUBSCRIPTION_ID, or choose one with `az account set` (%v)", err)
	}
	return s, nil
}

// cliDefaultSubscription reads the Azure CLI's profile ($AZURE_CONFIG_DIR or ~/.azure).
func cliDefaultSubscription() (string, error) {
	dir := os.Getenv("AZURE_CONFIG_DIR")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, ".azure")
	}
	data, err := os.ReadFile(filepath.Join(dir, "azureProfile.json"))
	if err != nil {
		return "", err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // the CLI writes a byte-order mark
	var profile struct {
		Subscriptions []struct {
			ID        string `json:"id"`
			IsDefault bool   `json:"isDefault"`
		} `json:"subscriptions"`
	}
	if err := json.Unmarshal(data, &profile); err != nil {
		return "", fmt.Errorf("reading the Azure CLI profile: %w", err)
	}
	for _, s := range profile.Subscriptions {
		if s.IsDefault {
			return s.ID, nil
		}
	}
	return "", errors.New("the Azure CLI profile has no default subscription")
}
