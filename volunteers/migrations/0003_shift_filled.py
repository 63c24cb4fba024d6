# Shift.filled: the places taken, kept by volunteers.services under the shift's row lock, so pages read
# it from the row instead of counting sign-ups per shift.

from django.db import migrations, models

RECOUNT = """
UPDATE volunteers_shift AS shift SET filled = (
    SELECT count(*) FROM volunteers_signup AS signup
    WHERE signup.shift_id = shift.id AND signup.status IN ('confirmed', 'attended')
)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('volunteers', '0002_profiles_shifts_signups'),
    ]

    operations = [
        migrations.AddField(
            model_name='shift',
            name='filled',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='places taken (confirmed or attended sign-ups); kept by volunteers.services under the row lock'),
        ),
        migrations.RunSQL(RECOUNT, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterModelOptions(
            name='signup',
            options={'ordering': ['queued_at', 'pk']},
        ),
    ]
