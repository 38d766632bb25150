#!/usr/bin/env bash
# Runs the commands of docs/deployment.md against a local moto server instead of AWS, in order:
# synthesized templates deployed by CloudFormation, the Evident publisher path, the member role through
# a service-managed StackSet on an emulated organisation, and one test alert through the hub handler.
# Needs the virtualenvs of the emulator and of cfn-lint under .cache/ (the infra tests install both),
# the AWS CLI, jq and zip. Usage, from the repository root:   bash packages/infra/scripts/rehearse-deployment.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."

step() { printf '\n$ %s\n' "$*"; "$@"; }
# Run a command with the credentials of another principal (kept out of the transcript).
as_evident() { env $EVIDENT "$@"; }
as_publisher() { env $PUBLISHER_CREDS "$@"; }
as_member() { env $IN_MEMBER "$@"; }

PORT="${PORT:-5055}"
.cache/moto-venv/bin/moto_server -H 127.0.0.1 -p "$PORT" >"${TMPDIR:-/tmp}/rehearse-moto.log" 2>&1 &
MOTO_PID=$!
WORK="$(mktemp -d)"
trap 'kill "$MOTO_PID"; rm -rf "$WORK"' EXIT
until curl -fs "http://127.0.0.1:$PORT/moto-api/" >/dev/null; do sleep 0.2; done

# The same AWS CLI commands as on AWS, sent to the emulator. Keys "testing" act in moto's default
# account, 123456789012: here, the hub account and the organisation's management account at once.
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
HUB_ACCOUNT=123456789012
EVIDENT_EXTERNAL_ID=evident-team-4d2f9a
MEMBER_EXTERNAL_ID=rh-0f6c1e9b2a7d4c38
TEMPLATES=packages/infra/cdk.out

# Credentials (as env assignments) from AssumeRole made with the credentials in $1 (empty: the hub's).
assume() { # caller credentials, role ARN, external id (optional)
  local creds
  creds=$(env $1 aws sts assume-role --role-arn "$2" --role-session-name rehearsal \
    ${3:+--external-id "$3"} --query Credentials --output json)
  echo "AWS_ACCESS_KEY_ID=$(jq -r .AccessKeyId <<<"$creds") AWS_SECRET_ACCESS_KEY=$(jq -r .SecretAccessKey <<<"$creds") AWS_SESSION_TOKEN=$(jq -r .SessionToken <<<"$creds")"
}
# Acting in another account of the emulator: through the role AWS Organizations creates there.
in_account() { assume '' "arn:aws:iam::$1:role/OrganizationAccountAccessRole"; }

echo '## 1. Synthesize and lint'
step pnpm synth
# cfn-lint exits with a bit mask: 2 errors, 4 warnings, 8 informational. Only errors fail here.
step .cache/cfn-lint-venv/bin/cfn-lint packages/infra/cdk.out/*.template.json \
  packages/infra/templates/member-role.template.json || test $(($? & 2)) -eq 0

echo; echo '## An organisation with one workload OU and one member account (exists already on AWS)'
aws organizations create-organization --feature-set ALL >/dev/null
ROOT=$(aws organizations list-roots --query 'Roots[0].Id' --output text)
OU=$(aws organizations create-organizational-unit --parent-id "$ROOT" --name workloads \
  --query OrganizationalUnit.Id --output text)
MEMBER=$(aws organizations create-account --email app@example.com --account-name app \
  --query CreateAccountStatus.AccountId --output text)
aws organizations move-account --account-id "$MEMBER" --source-parent-id "$ROOT" --destination-parent-id "$OU"
echo "OU=$OU MEMBER=$MEMBER"

echo; echo '## 2. The hub stack (what `cdk bootstrap` and `cdk deploy` do, by hand)'
step aws ssm put-parameter --name /cdk-bootstrap/hnb659fds/version --type String --value 30 --query Version
BUCKET="cdk-hnb659fds-assets-$HUB_ACCOUNT-$AWS_REGION"
step aws s3 mb "s3://$BUCKET"
KEY=$(jq -r '.Resources[] | select(.Type == "AWS::Lambda::Function") | .Properties.Code.S3Key' \
  "$TEMPLATES/RemediationHub.template.json")
(cd "$TEMPLATES/asset.${KEY%.zip}" && zip -qr "$WORK/$KEY" .)
step aws s3 cp "$WORK/$KEY" "s3://$BUCKET/$KEY" --only-show-errors
step aws cloudformation create-stack --stack-name RemediationHub \
  --template-body "file://$TEMPLATES/RemediationHub.template.json" --capabilities CAPABILITY_NAMED_IAM \
  --parameters ParameterKey=EvidentExternalId,ParameterValue="$EVIDENT_EXTERNAL_ID" \
  ParameterKey=MemberExternalId,ParameterValue="$MEMBER_EXTERNAL_ID" \
  ParameterKey=AllowedAccounts,ParameterValue="$MEMBER" --query StackId
step aws cloudformation wait stack-create-complete --stack-name RemediationHub
step aws cloudformation describe-stacks --stack-name RemediationHub \
  --query 'Stacks[0].Outputs[].[OutputKey,OutputValue]' --output text
output() { aws cloudformation describe-stacks --stack-name RemediationHub \
  --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text; }
TOPIC=$(output TopicArn)
PUBLISHER=$(output PublisherRoleArn)
FUNCTION=$(output HubFunctionName)
# AWS CLI v1 ignores AWS_ENDPOINT_URL for SQS alone: name the endpoint.
QUEUE_URL=$(aws sqs get-queue-url --endpoint-url "$AWS_ENDPOINT_URL" --queue-name "$(basename "$(output QueueUrl)")" \
  --query QueueUrl --output text)
QUEUE_ARN=$(aws sqs get-queue-attributes --endpoint-url "$AWS_ENDPOINT_URL" --queue-url "$QUEUE_URL" \
  --attribute-names QueueArn --query Attributes.QueueArn --output text)
# moto's CloudFormation skips AWS::SNS::Subscription (and the topic and queue policies, and the
# alarms); on AWS the stack creates the subscription. Here it is made by hand, as the stack defines it.
aws sns subscribe --topic-arn "$TOPIC" --protocol sqs --notification-endpoint "$QUEUE_ARN" \
  --attributes RawMessageDelivery=true >/dev/null

echo; echo '## 3. Evident publishes: from its account, through the publisher role, with the external id'
EVIDENT=$(in_account 613698206329)
step as_evident aws sts assume-role --role-arn "$PUBLISHER" --role-session-name evident \
  --external-id "$EVIDENT_EXTERNAL_ID" --query AssumedRoleUser.Arn --output text
PUBLISHER_CREDS=$(assume "$EVIDENT" "$PUBLISHER" "$EVIDENT_EXTERNAL_ID")

echo; echo '## 4. The member role into every account of the OU (service-managed StackSet, by hand)'
step aws cloudformation create-stack-set --stack-set-name remediation-hub-member-role \
  --permission-model SERVICE_MANAGED --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false \
  --capabilities CAPABILITY_NAMED_IAM --template-body file://packages/infra/templates/member-role.template.json \
  --parameters ParameterKey=HubAccountId,ParameterValue="$HUB_ACCOUNT" \
  ParameterKey=ExternalId,ParameterValue="$MEMBER_EXTERNAL_ID" --query StackSetId
step aws cloudformation create-stack-instances --stack-set-name remediation-hub-member-role \
  --deployment-targets OrganizationalUnitIds="$OU" --regions us-east-1 --query OperationId
step aws cloudformation list-stack-instances --stack-set-name remediation-hub-member-role \
  --query 'Summaries[].[Account,Region,Status]' --output text
IN_MEMBER=$(in_account "$MEMBER")
step as_member aws iam get-role --role-name RemediationHubMemberRole \
  --query 'Role.[Arn, AssumeRolePolicyDocument.Statement[0].Condition]'

echo; echo '## 5. One test alert: SSH open to the world in the member account'
GROUP=$(as_member aws ec2 create-security-group --group-name rh-test-alert \
  --description 'remediation-hub test alert' --query GroupId --output text)
as_member aws ec2 authorize-security-group-ingress --group-id "$GROUP" --protocol tcp --port 22 \
  --cidr 0.0.0.0/0 >/dev/null
make_alert() { # alert id -> an Evident alert about $GROUP in $MEMBER, us-east-1
  jq --arg id "$1" --arg group "$GROUP" --arg account "$MEMBER" '
    .data.id = $id | .data.attributes.resource = $group
    | .included |= map(
        if .type == "external_accounts" then .attributes.account = $account
          | .attributes.arn = "arn:aws:iam::\($account):role/Evident-Service-Role"
        elif .type == "regions" then .attributes.code = "us_east_1" else . end)' \
    packages/local/samples/evident/evident-ec2-002-fail.json >"$WORK/alert-$1.json"
}
make_alert rh-test-0001
step as_publisher aws sns publish --topic-arn "$TOPIC" --message "file://$WORK/alert-rh-test-0001.json" \
  --query MessageId --output text
# moto cannot run Lambda code without Docker: the same handler runs through the CLI's consumer,
# with the environment CloudFormation gave the function.
eval "$(aws lambda get-function-configuration --function-name "$FUNCTION" --query Environment.Variables \
  --output json | jq -r 'to_entries[] | "export \(.key)=\(.value | @sh)"')"
step aws lambda get-function-configuration --function-name "$FUNCTION" \
  --query 'Environment.Variables.[REMEDIATION_MODE,ALLOWED_ACCOUNTS,MEMBER_ROLE_PATH,MEMBER_ROLE_NAME]' --output text
step pnpm remediation-hub consume --queue-url "$QUEUE_URL" --once
step pnpm remediation-hub audit show rh-test-0001

echo; echo '## 5b. Dry run checked: switch to remediate, and send a second test alert'
step aws cloudformation update-stack --stack-name RemediationHub --use-previous-template \
  --capabilities CAPABILITY_NAMED_IAM --parameters ParameterKey=EvidentExternalId,UsePreviousValue=true \
  ParameterKey=MemberExternalId,UsePreviousValue=true ParameterKey=AllowedAccounts,UsePreviousValue=true \
  ParameterKey=RemediationMode,ParameterValue=remediate --query StackId
step aws cloudformation wait stack-update-complete --stack-name RemediationHub
eval "$(aws lambda get-function-configuration --function-name "$FUNCTION" --query Environment.Variables \
  --output json | jq -r 'to_entries[] | "export \(.key)=\(.value | @sh)"')"
make_alert rh-test-0002
step as_publisher aws sns publish --topic-arn "$TOPIC" --message "file://$WORK/alert-rh-test-0002.json" \
  --query MessageId --output text
step pnpm remediation-hub consume --queue-url "$QUEUE_URL" --once
step pnpm remediation-hub audit show rh-test-0002
step as_member aws ec2 describe-security-groups --group-ids "$GROUP" --query 'SecurityGroups[0].IpPermissions'
