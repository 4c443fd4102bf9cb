# The worker branch (mail outages, the notice purpose) and the webhooks (the webhook
# purpose) each added a 0006; this joins them and keeps both purposes.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0006_alter_outboxmessage_purpose'),
        ('messaging', '0006_mail_outage_and_notice'),
    ]

    operations = [
        migrations.AlterField(
            model_name='outboxmessage',
            name='purpose',
            field=models.CharField(choices=[('apology', 'Apology with a next step'), ('new_dates', 'New dates'), ('offer', 'Times to pick from'), ('thank_you', 'Thank-you'), ('follow_up', 'Follow-up'), ('digest', 'Daily digest'), ('escalation', 'Escalation'), ('invite', 'Invitation'), ('cancellation', 'Cancellation'), ('absence', 'Absence warning'), ('visitor', 'Visitor at the desk'), ('webhook', 'Webhook paused'), ('notice', 'Notice from Verbind')], max_length=20),
        ),
    ]
